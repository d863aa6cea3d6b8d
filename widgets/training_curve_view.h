#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QTimer;

namespace prunelab {

/// Live training curves: the running loss per step (left axis) and the test accuracy after each
/// epoch (right axis), titled by the job. Points arrive faster than it is worth drawing, so
/// replots are coalesced to at most ten a second. Export menu: PNG, PDF, CSV.
class TrainingCurveView : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingCurveView(QWidget* parent = nullptr);

    /// Starts a new run: clears both curves and shows `title`.
    void startRun(const QString& title);
    void addLoss(double step, double loss);
    /// `accuracy` as a fraction; NaN is skipped.
    void addAccuracy(double step, double accuracy);
    const QVector<QPointF>& lossPoints() const { return m_loss; }
    const QVector<QPointF>& accuracyPoints() const { return m_accuracy; }
    QString title() const;
    /// A line under the title for the job's progress ("fine-tune epoch 2/5 · 40% · ETA 0:12").
    void setStatus(const QString& status);
    QString status() const;
    /// What the right axis shows ("validation accuracy (%)").
    void setMeasureLabel(const QString& label);
    QString measureLabel() const;
    /// step,loss,accuracy rows (accuracy empty where not measured).
    QString csv() const;
    QCustomPlot* plot() const { return m_plot; }
    /// Draws pending points now (tests, screenshots).
    void flush();

private:
    void scheduleReplot();

    QCustomPlot* m_plot = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_replotTimer = nullptr;
    QVector<QPointF> m_loss;
    QVector<QPointF> m_accuracy;
};

} // namespace prunelab
