#include "widgets/importance_histogram_view.h"

#include "widgets/plot_export_menu.h"

#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace prunelab {

ImportanceHistogramView::ImportanceHistogramView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("importanceHistogram"));
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("histogramPlot"));
    m_plot->setMinimumSize(320, 200);
    m_plot->xAxis->setLabel(tr("importance score"));
    m_plot->yAxis->setLabel(tr("count"));

    m_pruned = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_pruned->setName(tr("pruned"));
    m_pruned->setPen(Qt::NoPen);
    m_pruned->setBrush(QColor(170, 170, 170));
    m_kept = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_kept->setName(tr("kept"));
    m_kept->setPen(Qt::NoPen);
    m_kept->setBrush(QColor(31, 119, 180));

    m_line = new QCPItemStraightLine(m_plot);
    m_line->setPen(QPen(QColor(214, 39, 40), 2));
    m_line->point1->setCoords(0, 0);
    m_line->point2->setCoords(0, 1);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("prunedLabel"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_summary);

    installPlotExportMenu(m_plot, QStringLiteral("importance-histogram"), [this] { return csv(); });
    connect(m_plot, &QCustomPlot::mousePress, this, &ImportanceHistogramView::onPress);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ImportanceHistogramView::onMove);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &ImportanceHistogramView::onRelease);
}

void ImportanceHistogramView::setHistogram(const HistogramData& data)
{
    m_data = data;
    m_plot->xAxis->setLabel(data.log10 ? tr("log₁₀ importance score") : tr("importance score"));
    m_kept->setWidth(data.binWidth);
    m_pruned->setWidth(data.binWidth);
    if (!data.binLefts.isEmpty()) {
        m_binsFrom = data.binLefts.front();
        m_binsTo = data.binLefts.back() + data.binWidth;
        fitXRange();
        const double top = *std::max_element(data.counts.begin(), data.counts.end());
        m_plot->yAxis->setRange(m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic ? 0.5 : 0.0,
                                std::max(1.0, top * 1.08));
    }
    refreshBars();
}

void ImportanceHistogramView::fitXRange()
{
    // The bins and the line: a line at the committed zeros (not drawn) or past the last score
    // must not vanish off the axis.
    double lo = m_binsFrom;
    double hi = m_binsTo;
    if (std::isfinite(m_threshold)) {
        lo = std::min(lo, m_threshold);
        hi = std::max(hi, m_threshold);
    }
    const double span = hi > lo ? hi - lo : std::max(std::abs(lo), 1.0);
    m_plot->xAxis->setRange(lo - 0.02 * span, hi + 0.02 * span);
}

void ImportanceHistogramView::setThreshold(double threshold)
{
    m_threshold = threshold;
    if (!m_dragging)
        fitXRange();
    m_line->point1->setCoords(threshold, 0);
    m_line->point2->setCoords(threshold, 1);
    refreshBars();
}

void ImportanceHistogramView::setPrunedSummary(qint64 pruned, qint64 total)
{
    const QLocale english(QLocale::English);
    const double percent = total > 0 ? 100.0 * double(pruned) / double(total) : 0.0;
    QString text = tr("pruned %1% (%2 of %3)")
                       .arg(QString::number(percent, 'f', 1), english.toString(pruned),
                            english.toString(total));
    if (m_data.notShown > 0)
        text += tr(" · %1 zero scores not drawn").arg(english.toString(m_data.notShown));
    m_summary->setText(text);
}

QString ImportanceHistogramView::prunedSummaryText() const
{
    return m_summary->text();
}

void ImportanceHistogramView::setLogY(bool logY)
{
    m_plot->yAxis->setScaleType(logY ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    setHistogram(m_data);
}

int ImportanceHistogramView::pixelForScore(double score) const
{
    return int(std::lround(m_plot->xAxis->coordToPixel(score)));
}

void ImportanceHistogramView::refreshBars()
{
    // A bin counts as pruned when its centre is at or below the threshold: what the eye reads.
    QVector<double> keys, kept, pruned;
    for (int i = 0; i < m_data.binLefts.size(); ++i) {
        const double centre = m_data.binLefts[i] + m_data.binWidth / 2.0;
        keys.push_back(centre);
        const bool isPruned = centre <= m_threshold;
        kept.push_back(isPruned ? 0.0 : m_data.counts.value(i));
        pruned.push_back(isPruned ? m_data.counts.value(i) : 0.0);
    }
    m_kept->setData(keys, kept, true);
    m_pruned->setData(keys, pruned, true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString ImportanceHistogramView::csv() const
{
    QString out =
        QStringLiteral("# layer %1%2, threshold %3\nbin_left,bin_right,count,pruned\n")
            .arg(m_data.layer, m_data.log10 ? QStringLiteral(" (log10 scores)") : QString())
            .arg(m_threshold, 0, 'g', 9);
    for (int i = 0; i < m_data.binLefts.size(); ++i) {
        const double left = m_data.binLefts[i];
        const bool pruned = left + m_data.binWidth / 2.0 <= m_threshold;
        out += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(left, 0, 'g', 9)
                   .arg(left + m_data.binWidth, 0, 'g', 9)
                   .arg(m_data.counts.value(i), 0, 'f', 0)
                   .arg(pruned ? 1 : 0);
    }
    return out;
}

void ImportanceHistogramView::moveLine(double threshold)
{
    setThreshold(threshold);
    emit thresholdDragged(threshold);
}

void ImportanceHistogramView::onPress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = true;
    // Grabbing near the line keeps it where it is; a click elsewhere moves it there.
    if (std::abs(event->position().x() - pixelForScore(m_threshold)) > 6)
        moveLine(m_plot->xAxis->pixelToCoord(event->position().x()));
}

void ImportanceHistogramView::onMove(QMouseEvent* event)
{
    if (!m_dragging || !(event->buttons() & Qt::LeftButton))
        return;
    moveLine(m_plot->xAxis->pixelToCoord(event->position().x()));
}

void ImportanceHistogramView::onRelease(QMouseEvent* event)
{
    if (!m_dragging || event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    emit thresholdDragFinished(m_threshold);
}

} // namespace prunelab
