#include "widgets/head_grid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace prunelab {
namespace {

constexpr int kCell = 28;
constexpr int kGap = 3;
constexpr int kTop = 22;

} // namespace

HeadGrid::HeadGrid(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void HeadGrid::setRows(QVector<Row> rows)
{
    m_rows = std::move(rows);
    m_low = std::numeric_limits<double>::infinity();
    m_high = -std::numeric_limits<double>::infinity();
    for (const Row& row : m_rows)
        for (double s : row.scores) {
            m_low = std::min(m_low, s);
            m_high = std::max(m_high, s);
        }
    if (!(m_high > m_low)) {
        m_low = 0.0;
        m_high = std::max(1.0, m_high);
    }
    updateGeometry();
    update();
}

int HeadGrid::labelWidth() const
{
    int width = 40;
    for (const Row& row : m_rows)
        width = std::max(width, fontMetrics().horizontalAdvance(row.layer) + 10);
    return width;
}

QRect HeadGrid::cellRect(int row, int head) const
{
    return {labelWidth() + head * (kCell + kGap), kTop + row * (kCell + kGap), kCell, kCell};
}

QSize HeadGrid::sizeHint() const
{
    int heads = 1;
    for (const Row& row : m_rows)
        heads = std::max(heads, int(row.scores.size()));
    return {labelWidth() + heads * (kCell + kGap) + 8,
            kTop + int(std::max<qsizetype>(1, m_rows.size())) * (kCell + kGap) + 8};
}

QPair<int, int> HeadGrid::cellAt(const QPoint& point) const
{
    for (int r = 0; r < m_rows.size(); ++r)
        for (int h = 0; h < m_rows[r].scores.size(); ++h)
            if (cellRect(r, h).adjusted(-kGap / 2, -kGap / 2, kGap / 2, kGap / 2).contains(point))
                return {r, h};
    return {-1, -1};
}

double HeadGrid::cutFor(int row, int head, bool pruning) const
{
    const auto& scores = m_rows[row].scores;
    if (pruning)
        return scores[head];
    // Restoring: the highest score below this head's keeps it and every head above.
    double below = -std::numeric_limits<double>::infinity();
    for (double s : scores)
        if (s < scores[head])
            below = std::max(below, s);
    return below;
}

void HeadGrid::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    if (m_rows.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   tr("Score a transformer at head granularity to see its attention heads "
                      "here: one row per attention layer, one cell per head."));
        return;
    }
    int heads = 0;
    for (const Row& row : m_rows)
        heads = std::max(heads, int(row.scores.size()));
    p.setPen(palette().color(QPalette::Text));
    for (int h = 0; h < heads; ++h)
        p.drawText(QRect(cellRect(0, h).left(), 2, kCell, kTop - 4), Qt::AlignCenter,
                   QString::number(h));
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row& row = m_rows[r];
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(2, cellRect(r, 0).top(), labelWidth() - 8, kCell),
                   Qt::AlignRight | Qt::AlignVCenter, row.layer);
        for (int h = 0; h < row.scores.size(); ++h) {
            const QRect cell = cellRect(r, h);
            const bool pruned = h < row.pruned.size() && row.pruned[h];
            if (pruned) {
                p.fillRect(cell, QColor(200, 200, 200));
                p.setPen(QPen(QColor(140, 140, 140), 1.5));
                p.drawLine(cell.topLeft(), cell.bottomRight());
                p.drawLine(cell.topRight(), cell.bottomLeft());
            } else {
                // Light to dark blue with importance, on the model's whole range.
                const double t = std::clamp((row.scores[h] - m_low) / (m_high - m_low), 0.0, 1.0);
                p.fillRect(cell, QColor::fromRgbF(float(0.85 - 0.75 * t), float(0.9 - 0.55 * t),
                                                  float(1.0 - 0.25 * t)));
            }
            p.setPen(palette().color(QPalette::Mid));
            p.drawRect(cell.adjusted(0, 0, -1, -1));
        }
    }
}

void HeadGrid::mousePressEvent(QMouseEvent* event)
{
    const auto [r, h] = cellAt(event->position().toPoint());
    if (r < 0 || event->button() != Qt::LeftButton || !isEnabled())
        return;
    m_dragRow = r;
    m_dragPrunes = !(h < m_rows[r].pruned.size() && m_rows[r].pruned[h]);
    m_lastCut = cutFor(r, h, m_dragPrunes);
    emit cutRequested(m_rows[r].layer, m_lastCut, true);
}

void HeadGrid::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragRow < 0)
        return;
    // Along the pressed row only: the head under the mouse's x sets the cut.
    const QPoint p(event->position().toPoint().x(), cellRect(m_dragRow, 0).center().y());
    const auto [r, h] = cellAt(p);
    if (r != m_dragRow)
        return;
    const double cut = cutFor(r, h, m_dragPrunes);
    if (cut != m_lastCut) {
        m_lastCut = cut;
        emit cutRequested(m_rows[r].layer, cut, true);
    }
}

void HeadGrid::mouseReleaseEvent(QMouseEvent*)
{
    if (m_dragRow < 0)
        return;
    m_dragRow = -1;
    emit dragFinished();
}

bool HeadGrid::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto [r, h] = cellAt(help->pos());
        if (r >= 0) {
            const bool pruned = h < m_rows[r].pruned.size() && m_rows[r].pruned[h];
            QToolTip::showText(help->globalPos(),
                               tr("%1, head %2: score %3%4")
                                   .arg(m_rows[r].layer)
                                   .arg(h)
                                   .arg(m_rows[r].scores[h], 0, 'g', 4)
                                   .arg(pruned ? tr(" (pruned; click to restore)")
                                               : tr(" (click to prune it and weaker heads)")),
                               this, cellRect(r, h));
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace prunelab
