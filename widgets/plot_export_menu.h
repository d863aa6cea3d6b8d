#pragma once

#include <QString>

#include <functional>

class QCustomPlot;
class QWidget;

namespace prunelab {

/// Writes a live plot to PNG or PDF (by the path's extension) or its data to CSV (".csv", via
/// `csv`). Returns false and sets `error` when the file cannot be written.
bool exportPlot(QCustomPlot* plot, const QString& path, const std::function<QString()>& csv,
                QString* error = nullptr);

/// Gives `plot` a context menu "Export PNG… / PDF… / CSV…" (and "Reset view" when `resetView` is
/// set). `baseName` suggests the file name. Errors are shown in a message box.
void installPlotExportMenu(QCustomPlot* plot, const QString& baseName, std::function<QString()> csv,
                           std::function<void()> resetView = {});

/// Replaces the save dialog of every export menu (tests return a path; empty cancels).
void setPlotExportPathProvider(
    std::function<QString(QWidget* parent, const QString& suggested)> provider);

} // namespace prunelab
