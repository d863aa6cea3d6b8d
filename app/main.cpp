// prunelab: the desktop workbench. Opens on the embedded default model.
//   prunelab [MODEL | PROJECT.prunelab.json]
//   prunelab --screenshots DIR     (drives the window through the README's states; see
//                                   scripts/screenshots.sh)
#include "app/main_window.h"
#include "app/screenshot_tour.h"
#include "engine/blas_threads.h"
#include "engine/version.h"

#include <QApplication>
#include <QMessageBox>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("PruneLab"));
    QApplication::setOrganizationName(QStringLiteral("PruneLab"));
    QApplication::setApplicationVersion(QString::fromLatin1(prunelab::kVersion));

    prunelab::use_all_cores();
    prunelab::MainWindow window;
    const QStringList args = QApplication::arguments();
    if (args.size() > 2 && args.at(1) == QLatin1String("--screenshots")) {
        window.openModel(QStringLiteral("default"));
        const int status = prunelab::runScreenshotTour(window, args.at(2));
        window.setCloseQuestion([] { return int(QMessageBox::Discard); });
        return status;
    }
    window.openModel(args.size() > 1 ? args.at(1) : QStringLiteral("default"));
    window.show();
    return QApplication::exec();
}
