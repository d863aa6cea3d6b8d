#include "widgets/training_curve_view.h"

#include "widgets/plot_export_menu.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace prunelab {

TrainingCurveView::TrainingCurveView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("trainingCurveView"));
    m_title =
        new QLabel(tr("No training yet: fine-tune, iterate or distil to see live curves."), this);
    m_title->setObjectName(QStringLiteral("trainingTitle"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("trainingPlot"));
    m_plot->setMinimumSize(260, 160);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("step (batches)"));
    m_plot->yAxis->setLabel(tr("training loss"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("test accuracy (%)"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));

    QCPGraph* loss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    loss->setName(tr("loss"));
    loss->setPen(QPen(QColor(31, 119, 180), 1.5));
    QCPGraph* accuracy = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    accuracy->setName(tr("accuracy"));
    accuracy->setPen(QPen(QColor(214, 39, 40), 2));
    accuracy->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));

    m_replotTimer = new QTimer(this);
    m_replotTimer->setSingleShot(true);
    m_replotTimer->setInterval(100);
    connect(m_replotTimer, &QTimer::timeout, this, &TrainingCurveView::flush);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_status);
    layout->addLayout(header);
    layout->addWidget(m_plot, 1);
    installPlotExportMenu(
        m_plot, QStringLiteral("training-curve"), [this] { return csv(); }, [this] { flush(); });
    flush();
}

void TrainingCurveView::startRun(const QString& title)
{
    m_title->setText(title);
    m_loss.clear();
    m_accuracy.clear();
    flush();
}

QString TrainingCurveView::title() const
{
    return m_title->text();
}
void TrainingCurveView::setStatus(const QString& status)
{
    m_status->setText(status);
}
void TrainingCurveView::setMeasureLabel(const QString& label)
{
    if (label == m_plot->yAxis2->label())
        return;
    m_plot->yAxis2->setLabel(label);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TrainingCurveView::measureLabel() const
{
    return m_plot->yAxis2->label();
}

QString TrainingCurveView::status() const
{
    return m_status->text();
}

void TrainingCurveView::addLoss(double step, double loss)
{
    if (!std::isfinite(loss))
        return;
    m_loss.append({step, loss});
    scheduleReplot();
}

void TrainingCurveView::addAccuracy(double step, double accuracy)
{
    if (!std::isfinite(accuracy))
        return;
    m_accuracy.append({step, accuracy * 100.0});
    scheduleReplot();
}

void TrainingCurveView::scheduleReplot()
{
    if (!m_replotTimer->isActive())
        m_replotTimer->start();
}

void TrainingCurveView::flush()
{
    m_replotTimer->stop();
    auto fill = [](QCPGraph* graph, const QVector<QPointF>& points) {
        QVector<double> x, y;
        for (const auto& p : points) {
            x.append(p.x());
            y.append(p.y());
        }
        graph->setData(x, y, true);
    };
    fill(m_plot->graph(0), m_loss);
    fill(m_plot->graph(1), m_accuracy);
    m_plot->graph(0)->rescaleAxes();
    m_plot->yAxis->setRangeLower(0.0);
    if (m_loss.isEmpty())
        m_plot->xAxis->setRange(0, 1);
    if (!m_accuracy.isEmpty()) {
        double lo = 100.0;
        for (const auto& p : m_accuracy)
            lo = std::min(lo, p.y());
        m_plot->yAxis2->setRange(std::max(0.0, lo - 5.0), 100.0);
    } else {
        m_plot->yAxis2->setRange(0.0, 100.0);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TrainingCurveView::csv() const
{
    QString out = QStringLiteral("step,loss,accuracy\n");
    for (const auto& p : m_loss)
        out += QStringLiteral("%1,%2,\n").arg(p.x(), 0, 'g', 10).arg(p.y(), 0, 'g', 8);
    for (const auto& p : m_accuracy)
        out += QStringLiteral("%1,,%2\n").arg(p.x(), 0, 'g', 10).arg(p.y() / 100.0, 0, 'g', 8);
    return out;
}

} // namespace prunelab
