#pragma once

#include "widgets/importance_histogram_view.h"

#include <QVector>
#include <QWidget>

namespace prunelab {

/// Small multiples: every layer's importance histogram in a grid of little cells, the pruned
/// side grey, the layer name and its pruned share on each; the selected layer framed. Click a
/// cell to select that layer. Bins are set once per scoring (setHistograms); edits only move the
/// per-layer thresholds (setThresholds), which is a repaint, not a re-bin.
class HistogramOverview : public QWidget
{
    Q_OBJECT
public:
    explicit HistogramOverview(QWidget* parent = nullptr);

    void setHistograms(QVector<HistogramData> histograms);
    /// Per layer, in the same order: where the line is (in the histogram's own x units) and the
    /// share pruned (0..1).
    void setThresholds(const QVector<double>& thresholds, const QVector<double>& prunedShares);
    void setSelected(int index);
    int selected() const { return m_selected; }
    int count() const { return int(m_histograms.size()); }
    /// The cell rectangle of a layer (for tests).
    QRect cellRect(int index) const;
    /// What hovering at `point` says: the layer's full name and pruned share (empty between
    /// cells).
    QString toolTipAt(const QPoint& point) const;

    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void layerClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;

private:
    int columns(int width) const;

    QVector<HistogramData> m_histograms;
    QVector<double> m_thresholds;
    QVector<double> m_shares;
    int m_selected = -1;
};

} // namespace prunelab
