#include "widgets/curve_plot_export.h"

#include <QFileInfo>
#include <qcustomplot.h>

#include <algorithm>
#include <limits>

namespace prunelab {
namespace {

const QVector<QColor> kPalette = {QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
                                  QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                                  QColor(227, 119, 194), QColor(127, 127, 127)};

} // namespace

bool exportCurvePlot(const CurvePlotSpec& spec, const QString& path, QString* error, int width,
                     int height)
{
    QCustomPlot plot;
    plot.resize(width, height);
    plot.legend->setVisible(true);
    plot.xAxis->setLabel(spec.xLabel);
    plot.yAxis->setLabel(spec.yLabel);
    if (!spec.title.isEmpty()) {
        plot.plotLayout()->insertRow(0);
        plot.plotLayout()->addElement(
            0, 0, new QCPTextElement(&plot, spec.title, QFont("sans", 12, QFont::Bold)));
    }
    double xMin = std::numeric_limits<double>::max(), xMax = std::numeric_limits<double>::lowest();
    double yMin = xMin, yMax = xMax;
    for (int i = 0; i < spec.series.size(); ++i) {
        const auto& s = spec.series[i];
        QCPGraph* graph = plot.addGraph();
        graph->setName(s.name);
        graph->setData(s.x, s.y, true);
        graph->setPen(QPen(kPalette[i % kPalette.size()], 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        for (double v : s.x) {
            xMin = std::min(xMin, v);
            xMax = std::max(xMax, v);
        }
        for (double v : s.y) {
            yMin = std::min(yMin, v);
            yMax = std::max(yMax, v);
        }
    }
    if (spec.baseline) {
        QCPGraph* line = plot.addGraph();
        line->setName(spec.baselineLabel);
        const double from = xMin <= xMax ? xMin : 0.0;
        const double to = xMin <= xMax ? xMax : 1.0;
        line->setData({from, to}, {*spec.baseline, *spec.baseline});
        line->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
        yMin = std::min(yMin, *spec.baseline);
        yMax = std::max(yMax, *spec.baseline);
    }
    if (xMin <= xMax) {
        const double xPad = std::max(1e-3, (xMax - xMin) * 0.04);
        const double yPad = std::max(1e-3, (yMax - yMin) * 0.06);
        plot.xAxis->setRange(xMin - xPad, xMax + xPad);
        plot.yAxis->setRange(yMin - yPad, yMax + yPad);
    }
    plot.replot();
    const bool pdf = QFileInfo(path).suffix().compare("pdf", Qt::CaseInsensitive) == 0;
    const bool ok = pdf ? plot.savePdf(path, width, height) : plot.savePng(path, width, height);
    if (!ok && error)
        *error = QStringLiteral("cannot write %1").arg(path);
    return ok;
}

} // namespace prunelab
