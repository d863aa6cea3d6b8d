// MainWindow: long work on the worker thread — fine-tune, iterate, sweep, evaluate, score —
// with progress, Stop, and the outcome folded back into the session and the views.

#include "app/gui/job_controller.h"
#include "app/gui/job_dialogs.h"
#include "app/gui/layer_rows.h"
#include "app/gui/main_window.h"
#include "app/gui/session_document.h"
#include "engine/core/logging.h"
#include "engine/session/session.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/compaction_view.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"
#include "widgets/training_curve_view.h"

#include <spdlog/logger.h>

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QProgressBar>
#include <QSlider>
#include <QStatusBar>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include <cmath>

namespace prunelab {
namespace {

QString formatEta(double seconds)
{
    if (!(seconds > 0.0) || !std::isfinite(seconds))
        return {};
    const int s = int(std::lround(seconds));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

AccuracyPoint toAccuracyPoint(const CurvePoint& p)
{
    return {p.sparsity, p.params_kept, p.flops_kept, p.accuracy};
}

} // namespace

bool MainWindow::startJob(std::unique_ptr<SessionJob> job, const QString& detail)
{
    if (!session() || !job)
        return false;
    const bool changes = job->changes_model();
    const QString title = QString::fromStdString(job->title());
    const bool evaluation = job->kind() == JobKind::Evaluate;
    if (!m_jobs->start(std::move(job))) {
        m_errorHandler(tr("%1 is running; stop it first (Esc).").arg(m_jobs->runningTitle()));
        return false;
    }
    if (!evaluation) {
        // Its points form one run in the Curves dock ("Sweep l1, random · 14:05"); a series
        // name an earlier run already has gets " (2)", so runs never merge.
        const QString name = (detail.isEmpty() ? title : title + QLatin1Char(' ') + detail) +
                             QStringLiteral(" · ") +
                             QTime::currentTime().toString(QStringLiteral("HH:mm"));
        m_runName = name;
        for (int n = 2; m_curves->runs().contains(m_runName); ++n)
            m_runName = QStringLiteral("%1 (%2)").arg(name).arg(n);
        const QStringList before = m_curves->seriesOrder();
        m_seriesBeforeRun = QSet<QString>(before.begin(), before.end());
        m_runSeries.clear();
    }
    if (changes)
        m_evaluateTimer->stop();
    logger()->info("{} started", title.toStdString());
    return true;
}

bool MainWindow::startFineTune(const FineTuneSettings& settings)
{
    if (!session())
        return false;
    noteBefore(tr("Fine-tune"));
    std::unique_ptr<SessionJob> job;
    return guarded([&] { job = session()->make_fine_tune_job(settings); }) &&
           startJob(std::move(job), tr("%n epoch(s)", nullptr, settings.epochs));
}

bool MainWindow::startIterate(const IterateSettings& settings)
{
    if (!session())
        return false;
    noteBefore(tr("Iterative pruning"));
    std::unique_ptr<SessionJob> job;
    return guarded([&] { job = session()->make_iterate_job(settings); }) &&
           startJob(std::move(job), tr("%1 to %2%")
                                        .arg(QString::fromStdString(settings.schedule))
                                        .arg(settings.target * 100.0, 0, 'f', 0));
}

bool MainWindow::startSweep(const SweepSettings& settings)
{
    if (!session())
        return false;
    std::unique_ptr<SessionJob> job;
    QStringList criteria;
    for (const auto& c : settings.criteria)
        criteria << QString::fromStdString(c);
    return guarded([&] { job = session()->make_sweep_job(settings); }) &&
           startJob(std::move(job), criteria.join(QStringLiteral(", ")));
}

QString MainWindow::runSeriesName(const QString& base)
{
    if (const auto known = m_runSeries.find(base); known != m_runSeries.end())
        return *known;
    QString name = base;
    for (int run = 2; m_seriesBeforeRun.contains(name); ++run)
        name = QStringLiteral("%1 (%2)").arg(base).arg(run);
    m_runSeries.insert(base, name);
    return name;
}

bool MainWindow::startDistill(const DistillSettings& settings)
{
    if (!session())
        return false;
    if (settings.student == "pruned")
        noteBefore(tr("Distil"));
    std::unique_ptr<SessionJob> job;
    return guarded([&] { job = session()->make_distill_job(settings); }) &&
           startJob(std::move(job), tr("into %1").arg(QString::fromStdString(settings.student)));
}

bool MainWindow::startEvaluate()
{
    if (!session() || m_jobs->isBusy())
        return false;
    return startJob(session()->make_evaluate_job());
}

bool MainWindow::startCompact()
{
    if (!session())
        return false;
    std::unique_ptr<SessionJob> job;
    return guarded([&] { job = session()->make_compact_job(); }) && startJob(std::move(job));
}

void MainWindow::showCompaction()
{
    const auto report = session() ? session()->compaction() : std::nullopt;
    if (!report)
        return;
    std::vector<CompactionRow> rows;
    for (const auto& r : report->rows)
        rows.push_back({QString::fromStdString(r.label), r.params, r.nonzero, r.flops,
                        r.latency_ms_1, r.latency_ms_64});
    QStringList groups, notes;
    for (const auto& g : report->groups)
        groups << QString::fromStdString(g);
    for (const auto& n : report->notes)
        notes << QString::fromStdString(n);
    for (const auto& w : report->warnings)
        notes << tr("Warning: %1").arg(QString::fromStdString(w));
    if (report->changed && report->max_abs_diff == 0.0)
        notes << tr("Outputs of the compacted model are identical to the masked model's.");
    else if (report->changed)
        notes << tr("Outputs of the compacted model differ from the masked model's by at most %1.")
                     .arg(report->max_abs_diff, 0, 'g', 2);
    m_compaction->setComparison(rows, groups, notes, report->changed);
    m_compactionDock->raise();
    updatePipeline();
}

bool MainWindow::startSensitivity()
{
    if (!session())
        return false;
    std::unique_ptr<SessionJob> job;
    return guarded([&] { job = session()->make_sensitivity_job(); }) &&
           startJob(std::move(job), QString::fromStdString(session()->criterion()));
}

void MainWindow::applyMasks()
{
    if (!session() || m_jobs->isChangingModel())
        return;
    noteBefore(tr("Apply"));
    if (!m_document->applyMasks()) // scoresChanged refreshes the views
        return;
    noteAfter(tr("masks committed; the next scoring starts from the pruned weights"));
    setModified(true);
}

void MainWindow::scheduleEvaluate()
{
    if (m_autoEvaluate && session() && !session()->accuracy() && !m_jobs->isChangingModel())
        m_evaluateTimer->start();
}

void MainWindow::stopJob()
{
    if (!m_jobs->isBusy())
        return;
    m_jobLabel->setText(tr("Stopping %1…").arg(m_jobs->runningTitle()));
    m_jobs->stop();
}

void MainWindow::resetToDense()
{
    if (!session() || m_jobs->isChangingModel())
        return;
    if (session()->is_finetuned() && m_resetQuestion && !m_resetQuestion())
        return;
    noteBefore(tr("Reset to dense"));
    if (!m_document->resetToDense()) // scoresChanged refreshes the views
        return;
    noteAfter(tr("the weights as opened"));
    setModified(true);
}

void MainWindow::setEditingEnabled(bool enabled)
{
    for (QAction* action : m_editActions)
        action->setEnabled(enabled);
    m_autoAllocateAction->setEnabled(enabled && session() && session()->has_sensitivity());
    if (enabled) // undo/redo know better whether they apply
        undoStack()->setIndex(undoStack()->index());
    m_criterion->setEnabled(enabled);
    m_granularity->setEnabled(enabled);
    m_globalSlider->setEnabled(enabled);
    m_globalSpin->setEnabled(enabled);
    m_layerTable->setEditTriggers(enabled ? QAbstractItemView::DoubleClicked |
                                                QAbstractItemView::EditKeyPressed |
                                                QAbstractItemView::AnyKeyPressed
                                          : QAbstractItemView::NoEditTriggers);
    showHistogram(m_histogramRow);
}

void MainWindow::onJobStarted(const QString& title)
{
    const bool changes = m_jobs->isChangingModel();
    m_stopAction->setEnabled(true);
    m_stopButton->setVisible(true);
    m_jobProgress->setVisible(true);
    m_jobProgress->setFormat(QStringLiteral("0%"));
    m_jobProgress->setValue(0);
    m_jobLabel->setText(title);
    if (changes)
        setEditingEnabled(false);
    const JobKind kind = m_jobs->runningKind();
    if (job_trains(kind)) {
        m_training->startRun(
            tr("%1 of %2").arg(title, QString::fromStdString(session()->info().spec.name)));
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("trainingDock")))
            dock->raise();
    } else if (kind == JobKind::Sweep) {
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("curvesDock")))
            dock->raise();
    }
}

void MainWindow::onJobEvent(const JobEvent& event)
{
    switch (event.kind) {
    case JobEvent::Kind::Progress: {
        // The percentage is the bar's alone, rounded once (the bar's own %p truncates, so a
        // label beside it said 38% while the bar said 37%).
        const double fraction = std::clamp(event.fraction, 0.0, 1.0);
        QString text = QString::fromStdString(event.phase);
        if (const QString eta = formatEta(event.eta_seconds); !eta.isEmpty())
            text += tr(" · ETA %1").arg(eta);
        m_jobLabel->setText(text);
        m_jobProgress->setFormat(QString::number(std::lround(fraction * 100.0)) + QLatin1Char('%'));
        m_jobProgress->setValue(int(std::lround(fraction * 1000.0)));
        if (m_training->isVisible() && m_jobs->isBusy() && job_trains(m_jobs->runningKind()))
            m_training->setStatus(text);
        break;
    }
    case JobEvent::Kind::TrainStep:
        m_training->addLoss(double(event.step), event.loss);
        m_trainStepOffset = event.step;
        break;
    case JobEvent::Kind::Epoch:
        m_training->addAccuracy(double(m_trainStepOffset), event.accuracy);
        logger()->info("epoch {}: loss {:.4f}, held-out accuracy {:.2f}%", event.epoch, event.loss,
                       event.accuracy * 100.0);
        break;
    case JobEvent::Kind::Point: {
        m_curves->addPoint(runSeriesName(QString::fromStdString(event.point.series)),
                           toAccuracyPoint(event.point), m_runName);
        break;
    }
    }
}

void MainWindow::onJobRan(std::shared_ptr<SessionJob> job, const QString& error)
{
    m_stopAction->setEnabled(false);
    m_stopButton->setVisible(false);
    m_jobProgress->setVisible(false);
    m_jobLabel->clear();
    const bool changes = job && job->changes_model();
    if (!error.isEmpty()) {
        logger()->warn("{} failed: {}", job ? job->title() : std::string("job"),
                       error.toStdString());
        if (changes)
            setEditingEnabled(true);
        m_errorHandler(
            tr("%1 failed: %2").arg(job ? QString::fromStdString(job->title()) : tr("Job"), error));
        return;
    }
    if (!session() || !job)
        return;
    if (changes)
        setEditingEnabled(true);
    JobOutcome outcome;
    // The document folds the result in and says what changed (scoresChanged, jobFinished).
    if (!guarded([&] { outcome = m_document->finishJob(*job); },
                 tr("%1 failed").arg(QString::fromStdString(job->title()))))
        return;
    for (const auto& w : outcome.warnings)
        logger()->warn("{}", w);
    logger()->info("{}", outcome.summary);
    m_training->flush();
    m_training->setStatus(outcome.cancelled ? tr("stopped") : QString());
    if (outcome.dense_accuracy && !m_curves->baseline())
        m_curves->setBaseline(outcome.dense_accuracy);
    // outcome.points need no adding: every Point event arrived before `ran` (the worker never
    // drops them, and both signals are queued from the same thread in order).
    if (changes) {
        setModified(true);
        if (job->kind() == JobKind::FineTune || job->kind() == JobKind::Iterate) {
            // The model's own point: its sparsity against its accuracy after the run.
            const ModelInfo info = session()->info();
            if (const auto accuracy = session()->accuracy())
                m_curves->addPoint(
                    runSeriesName(tr("fine-tuned")),
                    {info.sparsity(), info.params_kept(), info.flops_kept(), *accuracy}, m_runName);
        }
        // The summary goes to the status bar; the note keeps to before → after (and says how a
        // stopped run left the model).
        noteAfter(outcome.cancelled ? QString::fromStdString(outcome.summary) : QString());
    } else {
        updateStatus(session()->info());
        if (m_before.waitingForAccuracy)
            noteAfter();
    }
    if (job->kind() != JobKind::Evaluate || outcome.cancelled) {
        // A warning a person must see (a sweep below the base's sparsity) goes beside the
        // summary, not only into the Log.
        QString message = QString::fromStdString(outcome.summary);
        if (!outcome.warnings.empty())
            message += tr(" Warning: %1").arg(QString::fromStdString(outcome.warnings.front()));
        statusBar()->showMessage(message, outcome.warnings.empty() ? 8000 : 20000);
    }
}

void MainWindow::onJobFinished(JobKind kind, bool cancelled)
{
    // An edit that landed while this job ran found the worker busy and was not measured; its
    // evaluation starts now (scheduleEvaluate does nothing when the accuracy is known) — unless
    // the user just stopped an evaluation.
    if (!(kind == JobKind::Evaluate && cancelled))
        scheduleEvaluate();
    if (kind == JobKind::Sensitivity && session()->has_sensitivity()) {
        m_autoAllocateAction->setEnabled(true);
        m_autoAllocateAction->setChecked(true);
    }
    // Their curves (and a sensitivity's allocation) are saved with the project.
    if (kind == JobKind::Sweep || (kind == JobKind::Sensitivity && !cancelled))
        setModified(true);
    if (kind == JobKind::Compact && !cancelled)
        showCompaction();
    updateLessonResult(kind, cancelled);
    // A model that recorded no accuracy gets its dense line from its first measurement.
    if (kind == JobKind::Evaluate && !cancelled && !m_curves->baseline() && session() &&
        session()->accuracy() && session()->info().sparsity() == 0.0 &&
        !session()->is_finetuned()) {
        m_curves->setBaseline(session()->accuracy());
        updatePipeline();
    }
}

void MainWindow::showFineTuneDialog()
{
    FineTuneSettings settings;
    if (runFineTuneDialog(this, settings))
        startFineTune(settings);
}

void MainWindow::showTrainDialog()
{
    FineTuneSettings settings;
    settings.epochs = 5;
    settings.lr = 1e-3;
    if (runFineTuneDialog(this, settings, tr("Train")))
        startFineTune(settings);
}

void MainWindow::showIterateDialog()
{
    IterateSettings settings;
    settings.target = std::max(0.5, session() ? session()->info().sparsity() : 0.0);
    if (runIterateDialog(this, settings))
        startIterate(settings);
}

void MainWindow::showDistillDialog()
{
    DistillSettings settings;
    if (runDistillDialog(this, settings))
        startDistill(settings);
}

void MainWindow::showSweepDialog()
{
    SweepSettings settings;
    settings.granularity = m_granularity->currentText().toStdString();
    if (runSweepDialog(this, settings))
        startSweep(settings);
}

} // namespace prunelab
