#include "widgets/accuracy_curve_view.h"

#include "widgets/plot_export_menu.h"
#include "widgets/run_list.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

const QVector<QColor> kPalette = {QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
                                  QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                                  QColor(227, 119, 194), QColor(127, 127, 127)};

constexpr double kHoverRadius = 9.0; // pixels

QString pct(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 2) + QLatin1Char('%');
}

} // namespace

AccuracyCurveView::AccuracyCurveView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("accuracyCurveView"));
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("accuracyCurvePlot"));
    m_plot->setMinimumSize(280, 180);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    // The legend goes under the plot, never over the curves: columns first, three across.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(2); // the dock is narrow: two names fit side by side
    m_plot->legend->setMargins(QMargins(4, 2, 4, 2));
    m_plot->yAxis->setLabel(tr("test accuracy (%)"));
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &AccuracyCurveView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });

    m_axisCombo = new QComboBox(this);
    m_axisCombo->setObjectName(QStringLiteral("curveAxisCombo"));
    m_axisCombo->addItems({tr("Sparsity"), tr("Parameters kept"), tr("FLOPs kept")});
    connect(m_axisCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { setXAxis(XAxis(i)); });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("x axis:"), this));
    top->addWidget(m_axisCombo);
    top->addStretch(1);
    m_runList = new RunList(this);
    connect(m_runList, &RunList::visibilityToggled, this, &AccuracyCurveView::setRunVisible);
    connect(m_runList, &RunList::renameRequested, this,
            [this](const QString& run, const QString& name) { renameRun(run, name); });
    connect(m_runList, &RunList::removeRequested, this, &AccuracyCurveView::removeRun);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_plot);
    split->addWidget(m_runList);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    m_runList->setMinimumWidth(90);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    installPlotExportMenu(
        m_plot, QStringLiteral("accuracy-curve"), [this] { return csv(); },
        [this] { resetView(); });
    rebuild();
}

double AccuracyCurveView::xOf(const AccuracyPoint& p) const
{
    switch (m_xAxis) {
    case XAxis::ParamsKept:
        return p.paramsKept * 100.0;
    case XAxis::FlopsKept:
        return p.flopsKept * 100.0;
    default:
        return p.sparsity * 100.0;
    }
}

void AccuracyCurveView::noteRun(const QString& series, const QString& run)
{
    const QString owner = run.isEmpty() ? series : run;
    m_runOf[series] = owner;
    if (!m_runs.contains(owner))
        m_runs.append(owner);
    updateRuns();
}

void AccuracyCurveView::updateRuns()
{
    QStringList kept;
    for (const QString& run : m_runs)
        if (std::any_of(m_runOf.begin(), m_runOf.end(), [&](const QString& r) { return r == run; }))
            kept << run;
    m_runs = kept;
    for (auto it = m_hiddenRuns.begin(); it != m_hiddenRuns.end();)
        it = m_runs.contains(*it) ? std::next(it) : m_hiddenRuns.erase(it);
    m_runList->setRuns(m_runs, QStringList(m_hiddenRuns.begin(), m_hiddenRuns.end()));
}

void AccuracyCurveView::setRunVisible(const QString& run, bool visible)
{
    if (visible)
        m_hiddenRuns.remove(run);
    else if (m_runs.contains(run))
        m_hiddenRuns.insert(run);
    updateRuns();
    rebuild();
}

QString AccuracyCurveView::renameRun(const QString& run, const QString& name)
{
    if (!m_runs.contains(run) || name.trimmed().isEmpty() || name == run)
        return run;
    QString unique = name.trimmed();
    for (int n = 2; m_runs.contains(unique); ++n)
        unique = QStringLiteral("%1 (%2)").arg(name.trimmed()).arg(n);
    for (auto it = m_runOf.begin(); it != m_runOf.end(); ++it)
        if (*it == run)
            *it = unique;
    m_runs[m_runs.indexOf(run)] = unique;
    if (m_hiddenRuns.remove(run))
        m_hiddenRuns.insert(unique);
    updateRuns();
    rebuild();
    return unique;
}

void AccuracyCurveView::removeRun(const QString& run)
{
    for (const QString& series : m_runOf.keys(run)) {
        m_series.remove(series);
        m_order.removeAll(series);
        m_runOf.remove(series);
    }
    updateRuns();
    rebuild();
}

void AccuracyCurveView::setCurrentPoint(std::optional<AccuracyPoint> point)
{
    // Called after every edit: a replot only when the star moves.
    const auto same = [](const AccuracyPoint& a, const AccuracyPoint& b) {
        return a.sparsity == b.sparsity && a.paramsKept == b.paramsKept &&
               a.flopsKept == b.flopsKept && a.accuracy == b.accuracy;
    };
    if (point.has_value() == m_current.has_value() && (!point || same(*point, *m_current)))
        return;
    m_current = point;
    rebuild();
}

void AccuracyCurveView::addPoint(const QString& series, const AccuracyPoint& point,
                                 const QString& run)
{
    if (!m_series.contains(series)) {
        m_order.append(series);
        noteRun(series, run);
    }
    auto& points = m_series[series];
    points.append(point);
    std::stable_sort(
        points.begin(), points.end(),
        [](const AccuracyPoint& a, const AccuracyPoint& b) { return a.sparsity < b.sparsity; });
    rebuild();
}

void AccuracyCurveView::setSeries(const QString& series, QVector<AccuracyPoint> points,
                                  const QString& run)
{
    if (!m_series.contains(series))
        m_order.append(series);
    noteRun(series, run);
    std::stable_sort(
        points.begin(), points.end(),
        [](const AccuracyPoint& a, const AccuracyPoint& b) { return a.sparsity < b.sparsity; });
    m_series[series] = std::move(points);
    rebuild();
}

void AccuracyCurveView::removeSeries(const QString& series)
{
    m_series.remove(series);
    m_order.removeAll(series);
    m_runOf.remove(series);
    updateRuns();
    rebuild();
}

void AccuracyCurveView::setBaseline(std::optional<double> accuracy)
{
    m_baseline = accuracy;
    rebuild();
}

void AccuracyCurveView::setPresentation(bool on)
{
    m_scale = on ? 2.0 : 1.0;
    // Axis text and the legend follow; the curves' pens follow in rebuild().
    QFont tick = font();
    tick.setPointSizeF(tick.pointSizeF() * (on ? 1.6 : 1.0));
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setTickLabelFont(tick);
        axis->setLabelFont(tick);
    }
    m_plot->legend->setFont(QFont(font().family(), on ? 13 : 8));
    rebuild();
}

void AccuracyCurveView::setFloorDrop(double drop)
{
    m_floorDrop = std::max(0.0, drop);
    rebuild();
}

std::optional<double> AccuracyCurveView::floor() const
{
    if (!m_baseline || m_floorDrop <= 0.0)
        return std::nullopt;
    return *m_baseline - m_floorDrop;
}

void AccuracyCurveView::clear()
{
    m_series.clear();
    m_order.clear();
    m_runOf.clear();
    m_hiddenRuns.clear();
    m_current.reset();
    updateRuns();
    m_baseline.reset();
    rebuild();
}

void AccuracyCurveView::setMeasureLabel(const QString& label)
{
    if (label == m_plot->yAxis->label())
        return;
    m_plot->yAxis->setLabel(label);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString AccuracyCurveView::measureLabel() const
{
    return m_plot->yAxis->label();
}

void AccuracyCurveView::setXAxis(XAxis axis)
{
    m_xAxis = axis;
    if (m_axisCombo->currentIndex() != int(axis))
        m_axisCombo->setCurrentIndex(int(axis));
    rebuild();
}

void AccuracyCurveView::rebuild()
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    static const char* labels[] = {"sparsity (% of prunable weights zero)",
                                   "parameters kept (% of dense)",
                                   "FLOPs kept (% of dense multiply-accumulates)"};
    m_plot->xAxis->setLabel(tr(labels[int(m_xAxis)]));
    for (int i = 0; i < m_order.size(); ++i) {
        if (m_hiddenRuns.contains(m_runOf.value(m_order[i])))
            continue; // its colour stays its own when shown again
        const auto& points = m_series[m_order[i]];
        QVector<double> x, y;
        for (const auto& p : points) {
            x.append(xOf(p));
            y.append(p.accuracy * 100.0);
        }
        QCPGraph* graph = m_plot->addGraph();
        graph->setName(m_order[i]);
        graph->setData(x, y, false);
        const QColor colour = kPalette[i % kPalette.size()];
        graph->setPen(QPen(colour, 2 * m_scale));
        graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, 7 * m_scale));
    }
    if (m_baseline) {
        QCPGraph* line = m_plot->addGraph();
        line->setName(tr("dense %1").arg(pct(*m_baseline)));
        line->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
        line->setData({0.0, 100.0}, {*m_baseline * 100.0, *m_baseline * 100.0}, true);
    }
    if (m_current) {
        QCPGraph* here = m_plot->addGraph();
        here->setName(tr("you are here"));
        here->setLineStyle(QCPGraph::lsNone);
        here->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssStar, QColor(0xc0, 0x39, 0x2b), 14));
        here->setPen(QPen(QColor(0xc0, 0x39, 0x2b), 2));
        here->setData({xOf(*m_current)}, {m_current->accuracy * 100.0}, true);
    }
    if (const auto bottom = floor()) {
        QCPGraph* line = m_plot->addGraph();
        line->setName(tr("floor %1").arg(pct(*bottom)));
        line->setPen(QPen(QColor(0xc0, 0x39, 0x2b), 1.2, Qt::DotLine));
        line->setData({0.0, 100.0}, {*bottom * 100.0, *bottom * 100.0}, true);
    }
    // An empty legend is a stray box: shown once there is something to explain.
    m_plot->legend->setVisible(m_plot->graphCount() > 0);
    resetView();
}

void AccuracyCurveView::resetView()
{
    double yMin = 100.0, yMax = 0.0;
    bool any = false;
    for (const auto& points : m_series)
        for (const auto& p : points) {
            yMin = std::min(yMin, p.accuracy * 100.0);
            yMax = std::max(yMax, p.accuracy * 100.0);
            any = true;
        }
    if (const auto bottom = floor())
        yMin = std::min(yMin, *bottom * 100.0);
    if (m_current) {
        yMin = std::min(yMin, m_current->accuracy * 100.0);
        yMax = std::max(yMax, m_current->accuracy * 100.0);
    }
    if (m_baseline) {
        yMin = std::min(yMin, *m_baseline * 100.0);
        yMax = std::max(yMax, *m_baseline * 100.0);
        any = true;
    }
    if (!any) {
        yMin = 0.0;
        yMax = 100.0;
    }
    const double pad = std::max(2.0, (yMax - yMin) * 0.08);
    m_plot->xAxis->setRange(-2.0, 102.0);
    m_plot->yAxis->setRange(std::max(0.0, yMin - pad), std::min(100.0, yMax + pad));
    m_plot->replot();
}

QPointF AccuracyCurveView::pixelFor(const AccuracyPoint& point) const
{
    return {m_plot->xAxis->coordToPixel(xOf(point)),
            m_plot->yAxis->coordToPixel(point.accuracy * 100.0)};
}

QString AccuracyCurveView::toolTipAt(const QPoint& position) const
{
    double best = kHoverRadius;
    QString text;
    for (const auto& name : m_order) {
        if (m_hiddenRuns.contains(m_runOf.value(name)))
            continue;
        for (const auto& p : m_series[name]) {
            const QPointF at = pixelFor(p);
            const double d = std::hypot(at.x() - position.x(), at.y() - position.y());
            if (d <= best) {
                best = d;
                text = tr("<b>%1</b><br>accuracy %2<br>sparsity %3<br>parameters kept %4<br>"
                          "FLOPs kept %5")
                           .arg(name.toHtmlEscaped(), pct(p.accuracy), pct(p.sparsity),
                                pct(p.paramsKept), pct(p.flopsKept));
            }
        }
    }
    return text;
}

void AccuracyCurveView::onMouseMove(QMouseEvent* event)
{
    const QString text = toolTipAt(event->pos());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

QString AccuracyCurveView::csv() const
{
    QString out = QStringLiteral("series,sparsity,params_kept,flops_kept,accuracy\n");
    for (const auto& name : m_order)
        for (const auto& p : m_series[name])
            out += QStringLiteral("\"%1\",%2,%3,%4,%5\n")
                       .arg(QString(name).replace(QLatin1Char('"'), QLatin1String("\"\"")))
                       .arg(p.sparsity, 0, 'g', 8)
                       .arg(p.paramsKept, 0, 'g', 8)
                       .arg(p.flopsKept, 0, 'g', 8)
                       .arg(p.accuracy, 0, 'g', 8);
    if (m_baseline)
        out += QStringLiteral("\"dense\",0,1,1,%1\n").arg(*m_baseline, 0, 'g', 8);
    return out;
}

} // namespace prunelab
