// prunelab: the desktop workbench. Opens on the embedded default model.
//   prunelab [MODEL | PROJECT.prunelab.json]
#include "app/gui/guarded_application.h"
#include "app/gui/main_window.h"
#include "engine/core/blas_threads.h"
#include "engine/core/version.h"

#include <QApplication>
#include <QTimer>

int main(int argc, char** argv)
{
    prunelab::GuardedApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("PruneLab"));
    QApplication::setOrganizationName(QStringLiteral("PruneLab"));
    QApplication::setApplicationVersion(QString::fromLatin1(prunelab::kVersion));

    prunelab::use_all_cores();
    prunelab::MainWindow window;
    const QStringList args = QApplication::arguments();
    window.openModel(args.size() > 1 ? args.at(1) : QStringLiteral("default"));
    window.show();
    // After a crash, the work autosaved before it (asked once the window is on screen).
    QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });
    return QApplication::exec();
}
