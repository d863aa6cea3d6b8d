// prunelab-screenshots DIR: a developer tool, not shipped. Opens the real workbench on the
// embedded default and drives it through the README's states, saving one PNG per state
// (scripts/screenshots.sh runs it under Xvfb).
#include "app/gui/main_window.h"
#include "app/tools/screenshot_tour.h"
#include "engine/core/blas_threads.h"
#include "engine/core/version.h"

#include <QApplication>
#include <QMessageBox>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("PruneLab"));
    QApplication::setOrganizationName(QStringLiteral("PruneLab"));
    QApplication::setApplicationVersion(QString::fromLatin1(prunelab::kVersion));
    const QStringList args = QApplication::arguments();
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: prunelab-screenshots DIR\n");
        return 2;
    }
    prunelab::use_all_cores();
    prunelab::MainWindow window;
    window.openModel(QStringLiteral("default"));
    const int status = prunelab::runScreenshotTour(window, args.at(1));
    window.setCloseQuestion([] { return int(QMessageBox::Discard); });
    return status;
}
