#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

namespace prunelab {

/// A transformer's attention heads at a glance: one row per attention layer, one cell per head,
/// coloured by importance (darker is more important, on one scale for the whole model), pruned
/// heads grey and crossed. Clicking a kept head prunes it and every head of its layer scoring
/// at or below it; clicking a pruned head restores it and every head scoring above it; dragging
/// along a row moves that cut with the mouse. The grid only asks (cutRequested); whoever owns
/// the model decides and calls setRows again.
class HeadGrid : public QWidget
{
    Q_OBJECT
public:
    struct Row
    {
        QString layer;
        QVector<double> scores; ///< one per head
        QVector<bool> pruned;   ///< one per head
    };

    explicit HeadGrid(QWidget* parent = nullptr);

    void setRows(QVector<Row> rows);
    const QVector<Row>& rows() const { return m_rows; }
    /// The rectangle of a head's cell (for tests and tooltips).
    QRect cellRect(int row, int head) const;
    QSize sizeHint() const override;

signals:
    /// Prune every head of `row`'s layer scoring <= threshold (-inf: restore all).
    void cutRequested(const QString& layer, double threshold, bool dragging);
    /// A press-drag-release gesture ended (one undo step for the whole drag).
    void dragFinished();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    /// The (row, head) under a point, or {-1, -1}.
    QPair<int, int> cellAt(const QPoint& point) const;
    /// The cut that prunes `head` and every lower-scored head of `row` (pruning), or that
    /// keeps `head` and every higher-scored one (restoring).
    double cutFor(int row, int head, bool pruning) const;
    int labelWidth() const;

    QVector<Row> m_rows;
    double m_low = 0.0, m_high = 1.0;
    int m_dragRow = -1;
    bool m_dragPrunes = true;
    double m_lastCut = 0.0;
};

} // namespace prunelab
