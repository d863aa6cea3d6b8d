#pragma once

#include <QString>
#include <QVector>

#include <optional>

namespace prunelab {

/// One line of a curve plot (plain data).
struct PlotSeries
{
    QString name;
    QVector<double> x;
    QVector<double> y;
};

/// A line plot: labelled axes, one series per entry with markers, an optional horizontal
/// baseline (e.g. the dense accuracy), a legend.
struct CurvePlotSpec
{
    QString title;
    QString xLabel;
    QString yLabel;
    QVector<PlotSeries> series;
    std::optional<double> baseline;
    QString baselineLabel = QStringLiteral("dense");
};

/// Renders the plot with QCustomPlot to a PNG or PDF (by the path's extension), offscreen.
/// Needs a QApplication. Returns false and sets `error` when the file cannot be written.
bool exportCurvePlot(const CurvePlotSpec& spec, const QString& path, QString* error = nullptr,
                     int width = 900, int height = 560);

} // namespace prunelab
