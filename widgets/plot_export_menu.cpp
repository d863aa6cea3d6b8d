#include "widgets/plot_export_menu.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <qcustomplot.h>

namespace prunelab {
namespace {

std::function<QString(QWidget*, const QString&)>& pathProvider()
{
    static std::function<QString(QWidget*, const QString&)> provider =
        [](QWidget* parent, const QString& suggested) {
            return QFileDialog::getSaveFileName(parent, QObject::tr("Export Plot"), suggested);
        };
    return provider;
}

} // namespace

void setPlotExportPathProvider(std::function<QString(QWidget*, const QString&)> provider)
{
    pathProvider() = std::move(provider);
}

bool exportPlot(QCustomPlot* plot, const QString& path, const std::function<QString()>& csv,
                QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QFileInfo dir(QFileInfo(path).absolutePath());
    if (!dir.isDir()) {
        if (error)
            *error = QObject::tr("%1: the folder does not exist").arg(path);
        return false;
    }
    bool ok = false;
    // A plot that was never laid out (hidden dock, offscreen use) gets a readable page size.
    const bool tiny = plot->width() < 300 || plot->height() < 200;
    const int width = tiny ? 900 : 0;
    const int height = tiny ? 560 : 0;
    if (suffix == QLatin1String("csv")) {
        QSaveFile file(path); // temp file + rename: a failed export leaves the old file intact
        ok = csv && file.open(QIODevice::WriteOnly | QIODevice::Text) &&
             file.write(csv().toUtf8()) >= 0 && file.commit();
    } else if (suffix == QLatin1String("png")) {
        ok = plot->savePng(path, width, height, 2.0);
    } else if (suffix == QLatin1String("pdf")) {
        ok = plot->savePdf(path, width, height);
    } else {
        if (error)
            *error = QObject::tr("%1: choose a .png, .pdf or .csv file name").arg(path);
        return false;
    }
    if (!ok && error)
        *error = QObject::tr("%1: could not be written").arg(path);
    return ok;
}

void installPlotExportMenu(QCustomPlot* plot, const QString& baseName, std::function<QString()> csv,
                           std::function<void()> resetView)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot,
                     [plot, baseName, csv, resetView](const QPoint& pos) {
                         QMenu menu(plot);
                         auto add = [&](const QString& label, const QString& suffix) {
                             QAction* action = menu.addAction(label);
                             action->setObjectName(QStringLiteral("export_") + suffix);
                             QObject::connect(action, &QAction::triggered, plot, [=] {
                                 const QString path = pathProvider()(
                                     plot,
                                     QDir::home().filePath(baseName + QLatin1Char('.') + suffix));
                                 if (path.isEmpty())
                                     return;
                                 QString error;
                                 if (!exportPlot(plot, path, csv, &error))
                                     QMessageBox::warning(plot, QObject::tr("Export Plot"), error);
                             });
                         };
                         add(QObject::tr("Export PNG…"), QStringLiteral("png"));
                         add(QObject::tr("Export PDF…"), QStringLiteral("pdf"));
                         if (csv)
                             add(QObject::tr("Export CSV…"), QStringLiteral("csv"));
                         if (resetView) {
                             menu.addSeparator();
                             QObject::connect(menu.addAction(QObject::tr("Reset View")),
                                              &QAction::triggered, plot, resetView);
                         }
                         menu.exec(plot->mapToGlobal(pos));
                     });
}

} // namespace prunelab
