#include "widgets/histogram_overview.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

constexpr int kCellWidth = 118;
constexpr int kCellHeight = 74;
constexpr int kGap = 4;

} // namespace

HistogramOverview::HistogramOverview(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("histogramOverview"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void HistogramOverview::setHistograms(QVector<HistogramData> histograms)
{
    m_histograms = std::move(histograms);
    m_thresholds = QVector<double>(m_histograms.size(), -INFINITY);
    m_shares = QVector<double>(m_histograms.size(), 0.0);
    setMinimumHeight(heightForWidth(width()));
    updateGeometry();
    update();
}

void HistogramOverview::setThresholds(const QVector<double>& thresholds,
                                      const QVector<double>& shares)
{
    m_thresholds = thresholds;
    m_shares = shares;
    update();
}

void HistogramOverview::setSelected(int index)
{
    m_selected = index;
    update();
}

int HistogramOverview::columns(int width) const
{
    return std::max(1, (width + kGap) / (kCellWidth + kGap));
}

QRect HistogramOverview::cellRect(int index) const
{
    const int cols = columns(width());
    // Stretch cells to use the full width.
    const int cellWidth = std::max(kCellWidth, (width() - (cols - 1) * kGap) / cols);
    return {(index % cols) * (cellWidth + kGap), (index / cols) * (kCellHeight + kGap), cellWidth,
            kCellHeight};
}

QSize HistogramOverview::sizeHint() const
{
    return {3 * (kCellWidth + kGap), heightForWidth(3 * (kCellWidth + kGap))};
}

int HistogramOverview::heightForWidth(int width) const
{
    const int rows = (int(m_histograms.size()) + columns(width) - 1) / columns(width);
    return std::max(kCellHeight, rows * (kCellHeight + kGap));
}

void HistogramOverview::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    QFont small = font();
    small.setPointSizeF(std::max(6.5, small.pointSizeF() - 1.5));
    painter.setFont(small);
    const int textHeight = QFontMetrics(small).height();
    for (int i = 0; i < m_histograms.size(); ++i) {
        const HistogramData& h = m_histograms[i];
        const QRect cell = cellRect(i);
        painter.fillRect(cell, palette().base());
        const QRect plot = cell.adjusted(3, textHeight + 2, -3, -3);
        double top = 1.0;
        for (double c : h.counts)
            top = std::max(top, c);
        const int bins = int(h.counts.size());
        const double threshold = m_thresholds.value(i, -INFINITY);
        for (int b = 0; b < bins; ++b) {
            // sqrt heights: long tails stay visible in a 50-pixel cell
            const double height = std::sqrt(h.counts[b] / top) * plot.height();
            const int x0 = plot.left() + b * plot.width() / bins;
            const int x1 = plot.left() + (b + 1) * plot.width() / bins;
            const bool pruned = h.binLefts[b] + h.binWidth / 2.0 <= threshold;
            painter.fillRect(
                QRect(x0, plot.bottom() - int(height), std::max(1, x1 - x0), int(height)),
                pruned ? QColor(175, 175, 175) : QColor(31, 119, 180));
        }
        const QString name = fontMetrics().elidedText(h.layer, Qt::ElideMiddle, cell.width() - 46);
        painter.setPen(palette().text().color());
        painter.drawText(cell.adjusted(4, 1, -4, 0), Qt::AlignLeft | Qt::AlignTop, name);
        painter.setPen(m_shares.value(i) > 0 ? QColor(170, 30, 30) : palette().mid().color());
        painter.drawText(cell.adjusted(4, 1, -4, 0), Qt::AlignRight | Qt::AlignTop,
                         QString::number(m_shares.value(i) * 100.0, 'f', 0) + QLatin1Char('%'));
        painter.setPen(i == m_selected ? QPen(QColor(214, 39, 40), 2)
                                       : QPen(palette().mid().color(), 1));
        painter.drawRect(cell.adjusted(0, 0, -1, -1));
    }
}

void HistogramOverview::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // A scroll area that resizes its widget ignores height-for-width: ask for the rows'
    // height, so every layer is reachable by scrolling.
    const int needed = heightForWidth(width());
    if (minimumHeight() != needed)
        setMinimumHeight(needed);
}

QString HistogramOverview::toolTipAt(const QPoint& point) const
{
    for (int i = 0; i < m_histograms.size(); ++i)
        if (cellRect(i).contains(point))
            return tr("%1: %2% pruned (click to select)")
                .arg(m_histograms[i].layer)
                .arg(m_shares.value(i) * 100.0, 0, 'f', 0);
    return {};
}

bool HistogramOverview::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void HistogramOverview::mousePressEvent(QMouseEvent* event)
{
    for (int i = 0; i < m_histograms.size(); ++i)
        if (cellRect(i).contains(event->position().toPoint())) {
            setSelected(i);
            emit layerClicked(i);
            return;
        }
}

} // namespace prunelab
