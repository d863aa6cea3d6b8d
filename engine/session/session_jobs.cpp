// The jobs a Session hands to a worker thread. Each works on its own copy of the model, so the
// session stays readable (and the window responsive) while it runs.

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/importance.h"
#include "engine/pruning/pruning_job.h"
#include "engine/pruning/sweep.h"
#include "engine/session/session_impl.h"
#include "engine/session/session_job_base.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"
#include "engine/training/held_out.h"
#include "engine/training/trainer.h"

#include <cmath>
#include <cstdio>

namespace prunelab {
namespace {

using namespace session_jobs;

// --- fine-tune --------------------------------------------------------------------------------

class FineTuneJob : public CopyJob
{
public:
    FineTuneJob(const Session& session, const FineTuneSettings& settings)
        : CopyJob(session, false), m_settings(settings)
    {
        if (settings.epochs < 1)
            throw Error("fine-tuning needs at least one epoch");
        if (!(settings.lr > 0.0) || !std::isfinite(settings.lr))
            throw Error("the fine-tune learning rate must be a positive number");
        const auto& impl = session.impl();
        if (impl.base_is_opened && impl.pruner) {
            m_replay = threshold_recipe(impl);
            m_replay->options.finetune_epochs = settings.epochs;
            m_replay->options.finetune = fine_tune_options(settings);
        }
    }
    JobKind kind() const override { return JobKind::FineTune; }
    std::string title() const override { return "Fine-tune"; }
    bool changes_model() const override { return true; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        check_data_fits(*m_net, splits.train);
        const auto options = fine_tune_options(m_settings);
        StepHooks hooks = hold_masks(m_masks);
        hooks.after_epoch = [&](const EpochStats& stats) {
            JobEvent e{JobEvent::Kind::Epoch, "fine-tune"};
            e.epoch = stats.epoch;
            e.loss = stats.train_loss;
            e.accuracy = stats.eval_accuracy;
            emit(e);
            m_accuracy = stats.eval_accuracy;
        };
        const auto result = train(
            *m_net, splits.train, &decision_split(splits), options,
            [&](const TrainProgress& p) {
                JobEvent step{JobEvent::Kind::TrainStep, "fine-tune"};
                step.step = int64_t(p.epoch - 1) * p.batches + p.batch;
                step.loss = p.loss;
                emit(step);
                JobEvent progress{JobEvent::Kind::Progress, "fine-tune epoch " +
                                                                std::to_string(p.epoch) + "/" +
                                                                std::to_string(p.epochs)};
                progress.fraction = p.fraction();
                progress.eta_seconds = p.eta_seconds;
                emit(progress);
                m_last = p;
            },
            &cancel, hooks);
        m_cancelled = result.cancelled;
        m_epochs_done = int(result.epochs.size());
        if (m_cancelled)
            m_accuracy.reset(); // the weights moved since the last evaluation
        m_importance = rescore(m_cancelled);
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_cancelled;
        if (m_cancelled && m_last.batch == 0 && m_epochs_done == 0) {
            outcome.summary = "Fine-tune stopped before the first step: the model is unchanged.";
            return outcome;
        }
        auto& impl = session.impl();
        impl.commit(*m_net, m_masks, std::move(m_importance));
        if (m_replay && !m_cancelled)
            impl.base_recipe = std::move(m_replay); // the opened model, thresholds, this fine-tune
        impl.accuracy = m_accuracy;
        impl.relative_l2.reset();
        outcome.accuracy = m_accuracy;
        const std::string sparsity = percent(session.info().sparsity());
        if (m_cancelled)
            outcome.summary = "Fine-tune stopped in epoch " + std::to_string(m_last.epoch) +
                              " after batch " + std::to_string(m_last.batch) + " of " +
                              std::to_string(m_last.batches) +
                              ": the weights of the last completed step are kept, masks applied "
                              "(sparsity " +
                              sparsity + ").";
        else
            outcome.summary = "Fine-tuned " + std::to_string(m_epochs_done) +
                              " epoch(s), masks held (sparsity " + sparsity +
                              "): " + accuracy_change(m_accuracy_before, m_accuracy) + ".";
        return outcome;
    }

private:
    FineTuneSettings m_settings;
    std::optional<Recipe> m_replay;
    bool m_cancelled = false;
    int m_epochs_done = 0;
    TrainProgress m_last;
    std::optional<double> m_accuracy;
    ImportanceResult m_importance;
};

// --- iterate ----------------------------------------------------------------------------------

class IterateJob : public CopyJob
{
public:
    IterateJob(const Session& session, const IterateSettings& settings)
        : CopyJob(session, true), m_settings(settings)
    {
        check_fraction(settings.target, "iterative target", FractionRange::BelowOne);
        if (settings.steps < 1)
            throw Error("an iterative run needs at least one step");
        parse_schedule(settings.schedule);
    }
    JobKind kind() const override { return JobKind::Iterate; }
    std::string title() const override { return "Iterative pruning"; }
    bool changes_model() const override { return true; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        PruningJobOptions options;
        options.importance = ImportanceOptions().criterion(m_criterion).granularity(m_granularity);
        options.allocation.global_rate(m_settings.target)
            .excluded(m_excluded)
            .normalizer(m_normalizer)
            .max_layer_rate(m_max_layer_rate);
        options.schedule = parse_schedule(m_settings.schedule);
        options.steps = m_settings.steps;
        options.finetune_epochs = m_settings.finetune_epochs;
        options.finetune = TrainOptions().lr(m_settings.lr).lr_schedule("constant");
        options.initial_masks = m_masks;
        options.measure_on_validation = true; // the window's live accuracy
        m_result = run_pruning(
            *m_net, splits, options,
            [&](const PruningProgress& p) {
                JobEvent e{JobEvent::Kind::Progress, p.phase + " (step " + std::to_string(p.step) +
                                                         "/" + std::to_string(p.steps) + ")"};
                e.fraction = p.fraction;
                emit(e);
            },
            &cancel);
        const std::string series = "iterative " + m_criterion;
        for (const auto& step : m_result.steps) {
            JobEvent e{JobEvent::Kind::Point, "iterate"};
            e.point = {series, step.sparsity, step.params_kept, step.flops_kept, step.accuracy};
            emit(e);
        }
        if (!m_result.steps.empty())
            m_importance = rescore(m_result.cancelled);
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome = outcome_of(m_result);
        for (const auto& step : m_result.steps)
            outcome.points.push_back({"iterative " + m_criterion, step.sparsity, step.params_kept,
                                      step.flops_kept, step.accuracy});
        if (m_result.steps.empty()) {
            outcome.summary = "Iterative pruning stopped before its first step completed: the "
                              "model is unchanged.";
            return outcome;
        }
        auto& impl = session.impl();
        impl.commit(*m_net, m_result.masks, std::move(m_importance));
        const auto& last = m_result.steps.back();
        if (!m_result.cancelled) {
            impl.accuracy = last.accuracy;
            impl.relative_l2 = m_result.fidelity ? std::optional<double>(last.loss) : std::nullopt;
        }
        outcome.accuracy = impl.accuracy;
        outcome.summary =
            (m_result.cancelled
                 ? "Iterative pruning stopped after step " + std::to_string(last.step) +
                       ": its masks are kept"
                 : "Pruned to " + percent(last.sparsity) + " in " + std::to_string(last.step) +
                       " " + m_settings.schedule + " step(s)") +
            ": " + accuracy_change(m_result.dense_accuracy, last.accuracy) + ".";
        return outcome;
    }

private:
    IterateSettings m_settings;
    PruningJobResult m_result;
    ImportanceResult m_importance;
};

// --- sweep ------------------------------------------------------------------------------------

class SweepJob : public CopyJob
{
public:
    SweepJob(const Session& session, const SweepSettings& settings)
        : CopyJob(session, true), m_settings(settings)
    {
        if (settings.criteria.empty())
            throw Error("choose at least one criterion to sweep");
        if (settings.sparsities.empty())
            throw Error("choose at least one sparsity to sweep");
        m_options.criteria = settings.criteria;
        m_options.sparsities = settings.sparsities;
        m_options.granularity = parse_granularity(settings.granularity);
        m_options.global = settings.global;
        m_options.excluded = m_excluded;
        m_options.normalizer = m_normalizer;
        m_options.max_layer_rate = m_max_layer_rate;
        m_options.finetune_epochs = settings.finetune_epochs;
        m_options.distill = settings.distill;
        m_options.temperature = settings.temperature;
        m_options.alpha = settings.alpha;
        if (settings.distill && settings.finetune_epochs < 1)
            throw Error("recovering by distillation needs at least one epoch per point");
    }
    JobKind kind() const override { return JobKind::Sweep; }
    std::string title() const override { return "Sweep"; }
    bool changes_model() const override { return false; }

    std::string series(const std::string& criterion) const
    {
        if (m_settings.finetune_epochs < 1)
            return criterion;
        return criterion + " + " + std::to_string(m_settings.finetune_epochs) +
               (m_settings.distill ? " ep KD" : " ep");
    }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        m_result = run_sweep(
            *m_net, splits, m_options,
            [&](int done, int total, const std::string& what) {
                JobEvent e{JobEvent::Kind::Progress, "sweep " + what};
                e.fraction = double(done) / double(std::max(1, total));
                emit(e);
            },
            &cancel,
            [&](const SweepPoint& p) {
                JobEvent e{JobEvent::Kind::Point, "sweep"};
                e.point = {series(p.criterion), p.sparsity, p.params_kept, p.flops_kept,
                           p.accuracy};
                emit(e);
            });
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome = outcome_of(m_result);
        for (const auto& p : m_result.points)
            outcome.points.push_back(
                {series(p.criterion), p.sparsity, p.params_kept, p.flops_kept, p.accuracy});
        outcome.summary =
            std::string(m_result.cancelled ? "Sweep stopped after " : "Sweep measured ") +
            std::to_string(m_result.points.size()) + " point(s) from the base weights (dense " +
            percent(m_result.dense_accuracy) + "); the model is unchanged.";
        // Committed masks stay pruned at every point: a rate below the base's own sparsity is
        // measured at that sparsity (the points pile up there), which deserves saying.
        std::vector<std::string> below;
        double base = 0.0;
        for (const auto& p : m_result.points)
            if (p.sparsity > p.target + 0.005) {
                base = std::max(base, p.sparsity);
                if (std::find(below.begin(), below.end(), percent(p.target)) == below.end())
                    below.push_back(percent(p.target));
            }
        if (!below.empty()) {
            std::string list;
            for (const auto& b : below)
                list += (list.empty() ? "" : ", ") + b;
            outcome.warnings.push_back(
                "the base is already " + percent(base) +
                " sparse (committed masks stay pruned): the points asked at " + list +
                " were measured at that sparsity; Reset to Dense first to sweep below it");
        }
        return outcome;
    }

private:
    SweepSettings m_settings;
    SweepOptions m_options;
    SweepResult m_result;
};

// --- evaluate ---------------------------------------------------------------------------------

class EvaluateJob : public CopyJob
{
public:
    explicit EvaluateJob(const Session& session)
        : CopyJob(session, false), m_original(session.impl().original)
    {}
    JobKind kind() const override { return JobKind::Evaluate; }
    std::string title() const override { return "Evaluate"; }
    bool changes_model() const override { return false; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        if (cancel.load())
            return;
        const Dataset& held_out = decision_split(splits);
        m_split = decision_split_name(splits);
        emit({JobEvent::Kind::Progress,
              "evaluating on " + std::to_string(held_out.size()) + " " + m_split + " samples"});
        std::shared_ptr<PrunableNet> reference;
        if (measured_by_fidelity(*m_net, held_out) || measured_by_fidelity(*m_net, splits.train)) {
            // No labels to count: how closely the outputs follow the model as opened.
            reference = replicate(*m_net);
            load_named_state(*reference, m_original);
        }
        const EvalResult result = evaluate(*m_net, held_out, 1000, reference.get());
        m_accuracy = result.accuracy;
        if (result.fidelity)
            m_relative_l2 = result.relative_l2;
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome;
        outcome.title = title();
        outcome.accuracy = m_accuracy;
        auto& impl = session.impl();
        if (!m_accuracy) {
            outcome.cancelled = true;
            outcome.summary = "Evaluation stopped.";
        } else {
            const std::string measured =
                m_relative_l2 ? "Fidelity to the model as opened: cosine " + decimals(*m_accuracy) +
                                    ", relative L2 error " + decimals(*m_relative_l2)
                              : capitalized(m_split) + " accuracy " + percent(*m_accuracy);
            if (impl.generation == m_generation) {
                impl.accuracy = m_accuracy;
                impl.relative_l2 = m_relative_l2;
                outcome.summary = measured + ".";
            } else {
                outcome.summary = measured + " (of an earlier state; the model changed since).";
            }
        }
        return outcome;
    }

private:
    TensorMap m_original;
    std::optional<double> m_accuracy;
    std::optional<double> m_relative_l2;
    std::string m_split = "validation";
};

// --- score ------------------------------------------------------------------------------------

class ScoreJob : public CopyJob
{
public:
    ScoreJob(const Session& session, std::string criterion, Granularity granularity)
        : CopyJob(session, true)
    {
        m_criterion = std::move(criterion);
        m_granularity = granularity;
        const auto known = criterion_names();
        if (std::find(known.begin(), known.end(), m_criterion) == known.end())
            throw Error("unknown criterion '" + m_criterion + "'");
    }
    JobKind kind() const override { return JobKind::Score; }
    std::string title() const override { return "Score"; }
    bool changes_model() const override { return true; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const Dataset* calibration = nullptr;
        if (criterion_needs_data(m_criterion))
            calibration = &data(emit).train;
        m_importance = compute_importance(
            *m_net, calibration,
            ImportanceOptions().criterion(m_criterion).granularity(m_granularity),
            [&](int done, int total) {
                JobEvent e{JobEvent::Kind::Progress, "scoring by " + m_criterion};
                e.fraction = double(done) / double(std::max(1, total));
                emit(e);
            },
            &cancel);
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_importance.cancelled;
        outcome.warnings = m_importance.warnings;
        if (m_importance.cancelled) {
            outcome.summary = "Scoring stopped: the previous scores and thresholds are kept.";
            return outcome;
        }
        session.impl().set_scores(std::move(m_importance));
        outcome.summary = "Scored by " + m_criterion + " at " + to_string(m_granularity) +
                          " granularity; thresholds cleared.";
        return outcome;
    }

private:
    ImportanceResult m_importance;
};

// --- sensitivity ------------------------------------------------------------------------------

class SensitivityJob : public CopyJob
{
public:
    explicit SensitivityJob(const Session& session) : CopyJob(session, true)
    {
        m_options.criterion = m_criterion;
        m_options.granularity = m_granularity;
    }
    JobKind kind() const override { return JobKind::Sensitivity; }
    std::string title() const override { return "Sensitivity"; }
    bool changes_model() const override { return false; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        m_result = std::make_shared<SensitivityResult>(run_sensitivity(
            *m_net, splits, m_options,
            [&](int done, int total, const std::string& what) {
                JobEvent e{JobEvent::Kind::Progress, "sensitivity of " + what};
                e.fraction = double(done) / double(std::max(1, total));
                emit(e);
            },
            &cancel));
        for (const auto& p : m_result->points) {
            JobEvent e{JobEvent::Kind::Point, "sensitivity"};
            e.point = {"sensitivity " + p.layer, p.sparsity, 1.0, 1.0, p.accuracy};
            emit(e);
        }
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_result->cancelled;
        outcome.dense_accuracy = m_result->dense_accuracy;
        for (const auto& p : m_result->points)
            outcome.points.push_back({"sensitivity " + p.layer, p.sparsity, 1.0, 1.0, p.accuracy});
        auto& impl = session.impl();
        const bool same_base =
            impl.base_version == m_base_version &&
            impl.criterion + "/" + impl.granularity == m_criterion + "/" + to_string(m_granularity);
        if (!m_result->cancelled && same_base) {
            impl.sensitivity = m_result;
            impl.sensitivity_key = m_criterion + "/" + to_string(m_granularity);
            outcome.summary = "Sensitivity of " + std::to_string(m_result->layers.size()) +
                              " layers measured; the global rate can now allocate by it.";
        } else {
            outcome.summary =
                m_result->cancelled
                    ? "Sensitivity analysis stopped."
                    : "Sensitivity measured for weights that have changed since; not kept.";
        }
        return outcome;
    }

private:
    SensitivityOptions m_options;
    std::shared_ptr<SensitivityResult> m_result;
};

} // namespace

std::unique_ptr<SessionJob> Session::make_sensitivity_job() const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    return std::make_unique<SensitivityJob>(*this);
}

std::unique_ptr<SessionJob> Session::make_fine_tune_job(const FineTuneSettings& settings) const
{
    return std::make_unique<FineTuneJob>(*this, settings);
}

std::unique_ptr<SessionJob> Session::make_iterate_job(const IterateSettings& settings) const
{
    return std::make_unique<IterateJob>(*this, settings);
}

std::unique_ptr<SessionJob> Session::make_sweep_job(const SweepSettings& settings) const
{
    return std::make_unique<SweepJob>(*this, settings);
}

std::unique_ptr<SessionJob> Session::make_evaluate_job() const
{
    return std::make_unique<EvaluateJob>(*this);
}

std::unique_ptr<SessionJob> Session::make_score_job(const std::string& criterion,
                                                    const std::string& granularity) const
{
    return std::make_unique<ScoreJob>(*this, criterion, parse_granularity(granularity));
}

} // namespace prunelab
