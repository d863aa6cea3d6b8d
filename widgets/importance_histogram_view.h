#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QLabel;
class QMouseEvent;

namespace prunelab {

/// A layer's importance-score histogram as plain data (the app bins the scores).
struct HistogramData
{
    QString layer;
    QVector<double> binLefts; ///< left edge of each bin, ascending
    double binWidth = 1.0;
    QVector<double> counts; ///< elements per bin
    qint64 total = 0;       ///< elements scored
    bool log10 = false;     ///< bins (and the threshold line) are over log10(score)
    qint64 notShown = 0;    ///< scores left out (zero magnitudes; <= 0 on a log10 axis)
};

/// The importance histogram with a vertical threshold line the user drags: bins at or below
/// the threshold are drawn as pruned (grey), the rest as kept (blue). While dragging it emits
/// thresholdDragged on every move and thresholdDragFinished on release; the app answers with
/// the exact counts through setPrunedSummary. Clicking elsewhere in the plot moves the line
/// there.
class ImportanceHistogramView : public QWidget
{
    Q_OBJECT
public:
    explicit ImportanceHistogramView(QWidget* parent = nullptr);

    void setHistogram(const HistogramData& data);
    const HistogramData& histogram() const { return m_data; }
    /// Moves the line without emitting signals.
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    /// Shows "pruned 31.2% (1,234 of 3,950)".
    void setPrunedSummary(qint64 pruned, qint64 total);
    QString prunedSummaryText() const;
    void setLogY(bool logY);
    bool isDragging() const { return m_dragging; }

    /// The plot's pixel x for a score (for tests and overlays).
    int pixelForScore(double score) const;
    QCustomPlot* plot() const { return m_plot; }
    /// bin_left,bin_right,count,pruned rows of the current histogram.
    QString csv() const;

signals:
    void thresholdDragged(double threshold);
    void thresholdDragFinished(double threshold);

private:
    /// The x axis over the bins and the threshold line.
    void fitXRange();
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void moveLine(double threshold);
    void refreshBars();

    HistogramData m_data;
    double m_threshold = 0.0;
    double m_binsFrom = 0.0; ///< left edge of the first bin
    double m_binsTo = 1.0;   ///< right edge of the last bin
    bool m_dragging = false;
    QCustomPlot* m_plot = nullptr;
    QCPBars* m_kept = nullptr;
    QCPBars* m_pruned = nullptr;
    QCPItemStraightLine* m_line = nullptr;
    QLabel* m_summary = nullptr;
};

} // namespace prunelab
