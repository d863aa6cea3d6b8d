// MainWindow: editing thresholds, rates, locks and exclusions (all undoable), the histogram, and
// the "what changed" note.

#include "app/gui/action_text.h"
#include "app/gui/edit_command.h"
#include "app/gui/job_controller.h"
#include "app/gui/layer_rows.h"
#include "app/gui/main_window.h"
#include "app/gui/session_document.h"
#include "engine/session/session.h"
#include "widgets/global_ranking_button.h"
#include "widgets/head_grid.h"
#include "widgets/histogram_overview.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"

#include <QAction>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>

#include <cmath>

namespace prunelab {
namespace {

qint64 keptParams(const ModelInfo& info)
{
    return info.total_params - (info.prunable_weights - info.nonzero_weights);
}

QString pct(double fraction)
{
    return percentText(fraction);
}
QString accuracyText(double fraction)
{
    return percentText(fraction, 2);
}

} // namespace

void MainWindow::rescore()
{
    updateCriterionHelp();
    if (!session())
        return;
    const std::string criterion = m_criterion->currentText().toStdString();
    const std::string granularity = m_granularity->currentText().toStdString();
    if (criterion_is_data_driven(criterion)) {
        // Calibration batches take seconds: score on the worker, thresholds cleared on finish.
        std::unique_ptr<SessionJob> job;
        if (!guarded([&] { job = session()->make_score_job(criterion, granularity); }))
            return;
        noteBefore(tr("Scored by %1").arg(m_criterion->currentText()));
        startJob(std::move(job));
        return;
    }
    noteBefore(tr("Scored by %1").arg(m_criterion->currentText()));
    if (m_document->score(criterion, granularity)) // scoresChanged refreshes the views
        noteAfter(tr("thresholds cleared"));
}

void MainWindow::onScoresChanged()
{
    syncGlobalRateControls();
    refreshOverview();
    refreshAfterEdit();
    showHistogram(m_histogramRow < 0 ? 0 : m_histogramRow);
}

void MainWindow::syncGlobalRateControls()
{
    const QSignalBlocker blockSlider(m_globalSlider);
    const QSignalBlocker blockSpin(m_globalSpin);
    const double sparsity = session() ? session()->info().sparsity() : 0.0;
    m_globalSlider->setValue(int(std::lround(sparsity * 1000.0)));
    m_globalSpin->setValue(sparsity * 100.0);
}

void MainWindow::onGlobalRateChanged(double rate, bool dragging)
{
    if (!session() || !session()->is_scored() || m_jobs->isChangingModel())
        return;
    {
        const QSignalBlocker blockSlider(m_globalSlider);
        const QSignalBlocker blockSpin(m_globalSpin);
        m_globalSlider->setValue(int(std::lround(rate * 1000.0)));
        m_globalSpin->setValue(rate * 100.0);
    }
    if (m_before.action.isEmpty() || m_before.waitingForAccuracy || !dragging)
        noteBefore(tr("Global rate"));
    m_document->setGlobalRate(rate, dragging);
    if (!dragging)
        noteAfter(tr("%1 of the scored elements, ranked across layers").arg(pct(rate)));
}

GlobalRankingSettings MainWindow::rankingSettings() const
{
    GlobalRankingSettings ranking;
    ranking.normalizer = m_ranking->normalizer().toStdString();
    if (m_ranking->maxLayerRate() >= 0.0)
        ranking.max_layer_rate = m_ranking->maxLayerRate();
    return ranking;
}

void MainWindow::onGlobalRankingChanged()
{
    setModified(true);
    if (!session())
        return;
    if (!guarded([&] { session()->set_global_ranking(rankingSettings()); }))
        return;
    // Re-rank only a global rate that is still what the cuts show: per-layer edits made after
    // it are the user's and stay.
    QUndoStack* undo = m_document->undoStack();
    const auto* last = undo->index() > 0
                           ? dynamic_cast<const EditCommand*>(undo->command(undo->index() - 1))
                           : nullptr;
    if (last && last->edit().kind == CutEdit::Kind::GlobalRate)
        onGlobalRateChanged(last->edit().value, false);
}

void MainWindow::onRateEdited(const QString& layer, double rate)
{
    if (!session() || !session()->is_scored() || m_jobs->isChangingModel())
        return;
    noteBefore(tr("Rate of %1").arg(layer));
    if (m_document->setLayerRate(layer, rate))
        noteAfter(tr("%1 of its elements").arg(pct(rate)));
}

void MainWindow::onLockedToggled(const QString& layer, bool locked)
{
    if (session() && !m_jobs->isChangingModel())
        m_document->setLocked(layer, locked);
}

void MainWindow::onExcludedToggled(const QString& layer, bool excluded)
{
    if (!session() || m_jobs->isChangingModel())
        return;
    noteBefore(excluded ? tr("Excluded %1").arg(layer) : tr("Included %1").arg(layer));
    m_document->setExcluded(layer, excluded);
    noteAfter();
}

void MainWindow::refreshAfterEdit()
{
    if (!session())
        return;
    const ModelInfo info = session()->info();
    m_layerModel->updateLayers(toLayerRows(info, session()));
    // A warning icon can appear in the Rate cell: keep its percentage readable.
    m_layerTable->resizeColumnToContents(LayerTableModel::RateColumn);
    const QString layer = selectedLayer();
    if (!layer.isEmpty() && session()->is_scored()) {
        const LayerPruneState state = session()->prune_state(layer.toStdString());
        if (!m_histogram->isDragging())
            m_histogram->setThreshold(lineFor(state));
        m_histogram->setPrunedSummary(state.pruned, state.elements);
    }
    updateOverviewThresholds();
    updateStatus(info);
    scheduleEvaluate();
}

double MainWindow::toAxis(double score) const
{
    if (!m_logX)
        return score;
    return score > 0.0 ? std::log10(score) : -INFINITY;
}

double MainWindow::fromAxis(double x) const
{
    return m_logX ? std::pow(10.0, x) : x;
}

void MainWindow::setLogScoreAxis(bool on)
{
    m_logX = on;
    refreshOverview();
    showHistogram(m_histogramRow < 0 ? 0 : m_histogramRow);
}

void MainWindow::refreshOverview()
{
    if (!session() || !session()->is_scored()) {
        m_overview->setHistograms({});
        refreshHeads();
        return;
    }
    QVector<HistogramData> all;
    for (const auto& row : m_layerModel->layers()) {
        all.append(toHistogramData(session()->histogram(row.name.toStdString(), 40, m_logX)));
    }
    m_overview->setHistograms(all);
    m_overview->setSelected(m_histogramRow);
    updateOverviewThresholds();
    if (session()->granularity() == "head" && m_heads->rows().isEmpty())
        statusBar()->showMessage(tr("No attention heads in this model that PruneLab can follow: "
                                    "nothing to prune at head granularity"),
                                 10000);
}

void MainWindow::refreshHeads()
{
    QVector<HeadGrid::Row> rows;
    if (session() && session()->is_scored() && session()->granularity() == "head") {
        for (const auto& layer : m_layerModel->layers()) {
            const std::string name = layer.name.toStdString();
            if (!session()->applies_to(name) || session()->excluded().count(name))
                continue;
            const UnitScores units = session()->unit_scores(name);
            HeadGrid::Row row{layer.name, {}, {}};
            for (size_t h = 0; h < units.scores.size(); ++h) {
                row.scores.append(units.scores[h]);
                row.pruned.append(units.pruned[h]);
            }
            rows.append(row);
        }
    }
    m_heads->setRows(rows);
    m_heads->setEnabled(!m_jobs->isChangingModel());
}

void MainWindow::onHeadCut(const QString& layer, double threshold)
{
    if (!session() || m_jobs->isChangingModel())
        return;
    if (m_before.action.isEmpty() || m_before.waitingForAccuracy)
        noteBefore(tr("Heads of %1").arg(layer));
    m_document->setThreshold(layer, float(threshold), true);
}

void MainWindow::updateOverviewThresholds()
{
    if (session() && m_autoAllocateAction) {
        const bool available = session()->has_sensitivity();
        m_autoAllocateAction->setEnabled(available && !m_jobs->isChangingModel());
        if (!available && m_autoAllocateAction->isChecked())
            m_autoAllocateAction->setChecked(false);
    }
    if (!session() || !session()->is_scored() ||
        m_overview->count() != m_layerModel->layers().size())
        return;
    QVector<double> thresholds, shares;
    for (const auto& row : m_layerModel->layers()) {
        const LayerPruneState state = session()->prune_state(row.name.toStdString());
        thresholds.append(std::isfinite(state.threshold) ? toAxis(state.threshold) : -INFINITY);
        shares.append(row.sparsity());
    }
    m_overview->setThresholds(thresholds, shares);
    refreshHeads();
}

double MainWindow::lineFor(const LayerPruneState& state) const
{
    if (std::isfinite(state.threshold) && std::isfinite(toAxis(state.threshold)))
        return toAxis(state.threshold);
    // An untouched layer shows its line just left of every score: nothing pruned.
    const auto& h = m_histogram->histogram();
    return h.binLefts.value(0) - 0.5 * h.binWidth;
}

void MainWindow::selectLayer(int row)
{
    // selectRow moves the current row, which shows the histogram through currentRowChanged;
    // when the row was already current (after a model reset) show it here.
    m_layerTable->selectRow(row);
    if (m_histogramRow != row)
        showHistogram(row);
}

QString MainWindow::selectedLayer() const
{
    if (m_histogramRow < 0 || m_histogramRow >= m_layerModel->layers().size())
        return {};
    return m_layerModel->layers().at(m_histogramRow).name;
}

void MainWindow::showHistogram(int row)
{
    if (!session() || !session()->is_scored() || row < 0 || row >= m_layerModel->layers().size())
        return;
    m_histogramRow = row;
    const std::string layer = m_layerModel->layers().at(row).name.toStdString();
    m_histogram->setHistogram(toHistogramData(session()->histogram(layer, 60, m_logX)));
    m_overview->setSelected(row);
    const LayerPruneState state = session()->prune_state(layer);
    m_histogram->setThreshold(lineFor(state));
    m_histogram->setPrunedSummary(state.pruned, state.elements);
    // Neuron granularity prunes Linear rows, filter granularity Conv2d filters; other layers
    // show their scores but cannot be thresholded. Nor can excluded layers, or any while a job
    // changes the model.
    const bool excluded = session()->excluded().count(layer) > 0;
    const bool applies = session()->applies_to(layer) && !excluded;
    m_histogram->setEnabled(applies && !m_jobs->isChangingModel());
    m_histogram->setToolTip(
        applies    ? QString()
        : excluded ? tr("%1 is excluded from pruning").arg(QString::fromStdString(layer))
                   : tr("%1 is not pruned at %2 granularity")
                         .arg(QString::fromStdString(layer), m_granularity->currentText()));
}

void MainWindow::onThresholdDragged(double threshold)
{
    const QString layer = selectedLayer();
    if (!session() || layer.isEmpty() || m_jobs->isChangingModel())
        return;
    if (m_before.action.isEmpty() || m_before.waitingForAccuracy)
        noteBefore(tr("Threshold of %1").arg(layer));
    m_document->setThreshold(layer, float(fromAxis(threshold)), true);
}

void MainWindow::onThresholdDragFinished()
{
    m_document->closeMerging();
    noteAfter();
}

void MainWindow::noteBefore(const QString& action)
{
    if (!session())
        return;
    const ModelInfo info = session()->info();
    m_before = Before{action,
                      keptParams(info),
                      info.effective_flops,
                      info.sparsity(),
                      session()->accuracy(),
                      false,
                      {}};
}

void MainWindow::noteAfter(const QString& detail)
{
    if (!session() || m_before.action.isEmpty())
        return;
    if (!detail.isEmpty())
        m_before.detail = detail;
    const ModelInfo info = session()->info();
    QString note = QStringLiteral("<b>%1</b>").arg(m_before.action.toHtmlEscaped());
    if (!m_before.detail.isEmpty())
        note += QStringLiteral(" (%1)").arg(m_before.detail.toHtmlEscaped());
    note += tr(": parameters %1 → %2 · FLOPs %3 → %4 · sparsity %5 → %6")
                .arg(LayerTableModel::formatCount(m_before.params),
                     LayerTableModel::formatCount(keptParams(info)),
                     LayerTableModel::formatCount(m_before.flops),
                     LayerTableModel::formatCount(info.effective_flops), pct(m_before.sparsity),
                     pct(info.sparsity()));
    // A model without classes (or data without labels) is measured by output fidelity.
    const bool fidelity = session()->measures_fidelity();
    auto measured = [fidelity](double value) {
        return fidelity ? QString::number(value, 'f', 4) : accuracyText(value);
    };
    const QString what = fidelity ? tr("fidelity (cosine)") : tr("accuracy");
    const QString before = m_before.accuracy ? measured(*m_before.accuracy) : tr("?");
    if (const auto after = session()->accuracy()) {
        note += tr(" · %1 %2 → %3").arg(what, before, measured(*after));
        m_before.waitingForAccuracy = false;
    } else {
        note += tr(" · %1 %2 → %3")
                    .arg(what)
                    .arg(before, m_autoEvaluate ? tr("measuring…") : tr("? (Evaluate: Ctrl+E)"));
        m_before.waitingForAccuracy = m_autoEvaluate;
    }
    m_changeNote->setText(note);
    if (!m_before.waitingForAccuracy)
        m_before.action.clear();
}

} // namespace prunelab
