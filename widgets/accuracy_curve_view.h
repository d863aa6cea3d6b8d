#pragma once

#include <QMap>
#include <QSet>
#include <QString>
#include <QVector>
#include <QWidget>

#include <optional>

class QComboBox;
class QCustomPlot;
class QMouseEvent;

namespace prunelab {

class RunList;

/// One measured point of an accuracy curve (plain data; fractions 0..1).
struct AccuracyPoint
{
    double sparsity = 0.0;
    double paramsKept = 1.0;
    double flopsKept = 1.0;
    double accuracy = 0.0;
};

/// Accuracy against sparsity (switchable to parameters or FLOPs kept): one series per criterion
/// or run, with markers, the dense baseline as a dashed line, a legend, hover tooltips with the
/// exact values, wheel zoom and drag pan, and an export menu (PNG, PDF, CSV).
class AccuracyCurveView : public QWidget
{
    Q_OBJECT
public:
    enum class XAxis
    {
        Sparsity,
        ParamsKept,
        FlopsKept
    };

    explicit AccuracyCurveView(QWidget* parent = nullptr);

    /// Adds a point to a series (created on first use), keeping the series sorted by x. The
    /// series belongs to `run` (a sweep, a fine-tune; empty: a run of its own name).
    void addPoint(const QString& series, const AccuracyPoint& point, const QString& run = {});
    /// Replaces a series.
    void setSeries(const QString& series, QVector<AccuracyPoint> points, const QString& run = {});
    void removeSeries(const QString& series);

    // Runs: groups of series the Runs list shows, hides, renames and deletes.
    const QStringList& runs() const { return m_runs; }
    QString runOf(const QString& series) const { return m_runOf.value(series); }
    void setRunVisible(const QString& run, bool visible);
    bool isRunVisible(const QString& run) const { return !m_hiddenRuns.contains(run); }
    /// Renames a run (a name already taken gets " (2)", ...); returns the name it got.
    QString renameRun(const QString& run, const QString& name);
    /// Removes a run and its series.
    void removeRun(const QString& run);
    /// The shown model's own point, drawn as a star ("you are here"); unset hides it.
    void setCurrentPoint(std::optional<AccuracyPoint> point);
    std::optional<AccuracyPoint> currentPoint() const { return m_current; }
    const QMap<QString, QVector<AccuracyPoint>>& series() const { return m_series; }
    /// Series in the order they were added (legend and colour order).
    const QStringList& seriesOrder() const { return m_order; }
    void setBaseline(std::optional<double> accuracy);
    std::optional<double> baseline() const { return m_baseline; }
    /// Draws a floor this far below the baseline (0 hides it): where a pruned model stops being
    /// a usable small model.
    void setFloorDrop(double drop);
    /// Presentation mode (a projector): thicker curves, bigger markers and text.
    void setPresentation(bool on);
    double lineScale() const { return m_scale; }
    /// baseline − drop, when both are set.
    std::optional<double> floor() const;
    void clear();

    void setXAxis(XAxis axis);
    XAxis xAxis() const { return m_xAxis; }
    /// What the y values are ("validation accuracy (%)", a fidelity); the axis title.
    void setMeasureLabel(const QString& label);
    QString measureLabel() const;
    /// The tooltip text for a point near a widget position of the plot, or empty.
    QString toolTipAt(const QPoint& plotPosition) const;
    /// Where a point is drawn, in plot pixels (for tests).
    QPointF pixelFor(const AccuracyPoint& point) const;
    /// All series as CSV: series,sparsity,params_kept,flops_kept,accuracy.
    QString csv() const;
    /// Fits the axes to the data.
    void resetView();
    QCustomPlot* plot() const { return m_plot; }

private:
    double xOf(const AccuracyPoint& p) const;
    void rebuild();
    void noteRun(const QString& series, const QString& run);
    /// Drops runs without series and shows the list.
    void updateRuns();
    void onMouseMove(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QComboBox* m_axisCombo = nullptr;
    QMap<QString, QVector<AccuracyPoint>> m_series;
    QStringList m_order;
    std::optional<double> m_baseline;
    double m_floorDrop = 0.0;
    double m_scale = 1.0;           ///< 2 in presentation mode
    QMap<QString, QString> m_runOf; ///< series -> run
    QStringList m_runs;
    QSet<QString> m_hiddenRuns;
    std::optional<AccuracyPoint> m_current;
    RunList* m_runList = nullptr;
    XAxis m_xAxis = XAxis::Sparsity;
};

} // namespace prunelab
