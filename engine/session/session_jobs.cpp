// The jobs a Session hands to a worker thread. Each works on its own copy of the model, so the
// session stays readable (and the window responsive) while it runs.

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/importance.h"
#include "engine/pruning/pruning_job.h"
#include "engine/pruning/sweep.h"
#include "engine/session/session_impl.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"
#include "engine/training/trainer.h"

#include <cmath>
#include <cstdio>

namespace prunelab {
namespace {

std::string percent(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", fraction * 100.0);
    return text;
}

/// What every job starts from: a copy of the model, the data choice, and the splits if the
/// session already loaded them.
class CopyJob : public SessionJob
{
public:
    CopyJob(const Session& session, bool from_base)
    {
        const auto& impl = session.impl();
        m_net = replicate(*impl.checkpoint.net);
        if (from_base)
            load_named_state(*m_net, impl.base);
        m_masks = from_base ? impl.committed : impl.current;
        m_data = impl.data;
        m_splits = impl.cached_splits();
        m_generation = impl.generation;
        m_base_version = impl.base_version;
        m_accuracy_before = impl.accuracy;
        m_criterion = impl.criterion;
        m_granularity = parse_granularity(impl.granularity);
        m_excluded = impl.excluded;
        m_locked = impl.locked;
        if (impl.pruner)
            m_scores = impl.pruner->importance();
    }

protected:
    const DataSplits& data(const JobEventSink& emit)
    {
        if (!m_splits) {
            emit({JobEvent::Kind::Progress, "loading " + m_data.spec});
            m_splits = load_splits(m_data, m_net->spec());
            m_loaded = true;
        }
        return *m_splits;
    }

    /// Hands freshly loaded splits to the session (when it still wants the same data).
    void keep_data(Session& session) const
    {
        auto& impl = session.impl();
        if (m_loaded && m_splits && impl.data == m_data)
            impl.splits = m_splits;
    }

    /// Scores for the trained copy: recomputed (data-free criteria are instant), or the old ones
    /// when the run was cancelled and a data-driven criterion would need calibration batches.
    ImportanceResult rescore(bool cancelled)
    {
        if (cancelled && criterion_needs_data(m_criterion) && !m_scores.layers.empty())
            return m_scores;
        auto options = ImportanceOptions().criterion(m_criterion).granularity(m_granularity);
        return compute_importance(*m_net, m_splits ? &m_splits->train : nullptr, options);
    }

    std::shared_ptr<PrunableNet> m_net;
    MaskSet m_masks;
    DataChoice m_data;
    std::shared_ptr<const DataSplits> m_splits;
    bool m_loaded = false;
    uint64_t m_generation = 0;
    uint64_t m_base_version = 0;
    std::optional<double> m_accuracy_before;
    std::string m_criterion;
    Granularity m_granularity = Granularity::Weight;
    std::set<std::string> m_excluded;
    std::set<std::string> m_locked;
    ImportanceResult m_scores;
};

std::string accuracy_change(const std::optional<double>& before, const std::optional<double>& after)
{
    const std::string b = before ? percent(*before) : std::string("?");
    const std::string a = after ? percent(*after) : std::string("?");
    return "accuracy " + b + " → " + a;
}

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
            *m_net, splits.train, &splits.test, options,
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
        if (!(settings.target >= 0.0 && settings.target < 1.0))
            throw Error("the iterative target must be in [0, 1)");
        if (settings.steps < 1)
            throw Error("an iterative run needs at least one step");
        parse_schedule(settings.schedule);
    }
    std::string title() const override { return "Iterative pruning"; }
    bool changes_model() const override { return true; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        PruningJobOptions options;
        options.importance = ImportanceOptions().criterion(m_criterion).granularity(m_granularity);
        options.allocation.global_rate(m_settings.target).excluded(m_excluded);
        options.schedule = parse_schedule(m_settings.schedule);
        options.steps = m_settings.steps;
        options.finetune_epochs = m_settings.finetune_epochs;
        options.finetune = TrainOptions().lr(m_settings.lr).lr_schedule("constant");
        options.initial_masks = m_masks;
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
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_result.cancelled;
        outcome.warnings = m_result.warnings;
        outcome.dense_accuracy = m_result.dense_accuracy;
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
        if (!m_result.cancelled)
            impl.accuracy = last.accuracy;
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
        m_options.finetune_epochs = settings.finetune_epochs;
        m_options.distill = settings.distill;
        m_options.temperature = settings.temperature;
        m_options.alpha = settings.alpha;
        if (settings.distill && settings.finetune_epochs < 1)
            throw Error("recovering by distillation needs at least one epoch per point");
    }
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
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_result.cancelled;
        outcome.warnings = m_result.warnings;
        outcome.dense_accuracy = m_result.dense_accuracy;
        for (const auto& p : m_result.points)
            outcome.points.push_back(
                {series(p.criterion), p.sparsity, p.params_kept, p.flops_kept, p.accuracy});
        outcome.summary =
            std::string(m_result.cancelled ? "Sweep stopped after " : "Sweep measured ") +
            std::to_string(m_result.points.size()) + " point(s) from the base weights (dense " +
            percent(m_result.dense_accuracy) + "); the model is unchanged.";
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
    explicit EvaluateJob(const Session& session) : CopyJob(session, false) {}
    std::string title() const override { return "Evaluate"; }
    bool changes_model() const override { return false; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        if (cancel.load())
            return;
        emit({JobEvent::Kind::Progress,
              "evaluating on " + std::to_string(splits.test.size()) + " test images"});
        m_accuracy = evaluate(*m_net, splits.test).accuracy;
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
        } else if (impl.generation == m_generation) {
            impl.accuracy = m_accuracy;
            outcome.summary = "Test accuracy " + percent(*m_accuracy) + ".";
        } else {
            outcome.summary = "Test accuracy " + percent(*m_accuracy) +
                              " (of an earlier state; the model changed since).";
        }
        return outcome;
    }

private:
    std::optional<double> m_accuracy;
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

// --- distil -----------------------------------------------------------------------------------

class DistillJob : public CopyJob
{
public:
    DistillJob(const Session& session, const DistillSettings& settings)
        : CopyJob(session, false), m_settings(settings)
    {
        if (!(settings.temperature > 0.0) || !std::isfinite(settings.temperature))
            throw Error("the distillation temperature must be a positive number");
        if (!(settings.alpha >= 0.0 && settings.alpha <= 1.0))
            throw Error("the distillation alpha must be in [0, 1]");
        if (settings.epochs < 1)
            throw Error("distillation needs at least one epoch");
        const auto& impl = session.impl();
        m_teacher = replicate(*impl.checkpoint.net);
        load_named_state(*m_teacher, impl.original);
        m_teacher_params = impl.opened.total_params;
        m_teacher_flops = impl.opened.flops;
        if (settings.student != "pruned") {
            if (settings.out_path.empty())
                throw Error("say where to write the student '" + settings.student + "'");
            check_output_path(settings.out_path);
            ModelSpec spec = default_model_spec(settings.student);
            spec.input_shape = impl.checkpoint.net->spec().input_shape;
            spec.num_classes = impl.checkpoint.net->spec().num_classes;
            m_net = create_model(spec, settings.seed);
            m_masks = MaskSet();
        }
    }
    std::string title() const override { return "Distil"; }
    bool changes_model() const override { return m_settings.student == "pruned"; }

    std::string series() const
    {
        return m_settings.student == "pruned" ? "distilled" : "distilled " + m_settings.student;
    }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        const DataSplits& splits = data(emit);
        DistillOptions options;
        options.train = TrainOptions()
                            .lr(m_settings.lr)
                            .epochs(m_settings.epochs)
                            .seed(m_settings.seed)
                            .lr_schedule(m_settings.student == "pruned" ? "constant" : "cosine");
        options.temperature(m_settings.temperature).alpha(m_settings.alpha);
        StepHooks hooks = m_masks.empty() ? StepHooks{} : hold_masks(m_masks);
        hooks.after_epoch = [&](const EpochStats& stats) {
            JobEvent e{JobEvent::Kind::Epoch, "distil"};
            e.epoch = stats.epoch;
            e.loss = stats.train_loss;
            e.accuracy = stats.eval_accuracy;
            emit(e);
            m_accuracy = stats.eval_accuracy;
        };
        emit({JobEvent::Kind::Progress, "teacher outputs"});
        m_result = distill(
            *m_teacher, *m_net, splits.train, &splits.test, options,
            [&](const TrainProgress& p) {
                JobEvent step{JobEvent::Kind::TrainStep, "distil"};
                step.step = int64_t(p.epoch - 1) * p.batches + p.batch;
                step.loss = p.loss;
                emit(step);
                JobEvent progress{JobEvent::Kind::Progress, "distil epoch " +
                                                                std::to_string(p.epoch) + "/" +
                                                                std::to_string(p.epochs)};
                progress.fraction = p.fraction();
                progress.eta_seconds = p.eta_seconds;
                emit(progress);
            },
            &cancel, hooks);
        if (m_result.training.cancelled)
            m_accuracy.reset();
        ModelInfo info = describe_model(*m_net);
        m_point = {series(), 0.0, 1.0, 1.0, m_accuracy.value_or(0.0)};
        if (m_settings.student == "pruned") {
            m_point.sparsity = info.sparsity();
            m_point.params_kept = info.params_kept();
            m_point.flops_kept = info.flops_kept();
            m_importance = rescore(m_result.training.cancelled);
        } else {
            // A smaller model: place it by its size relative to the teacher.
            m_point.params_kept =
                double(info.total_params) / double(std::max<int64_t>(1, m_teacher_params));
            m_point.flops_kept =
                double(info.effective_flops) / double(std::max<int64_t>(1, m_teacher_flops));
            m_point.sparsity = 1.0 - m_point.params_kept;
            if (!m_result.training.cancelled) {
                Checkpoint out;
                out.net = m_net;
                out.metadata = {{"data", m_data.spec},
                                {"test_accuracy", m_accuracy.value_or(0.0)},
                                {"distillation",
                                 {{"teacher", "session"},
                                  {"temperature", m_settings.temperature},
                                  {"alpha", m_settings.alpha},
                                  {"epochs", m_settings.epochs}}}};
                save_checkpoint(out, m_settings.out_path);
            }
        }
        if (m_accuracy) {
            JobEvent e{JobEvent::Kind::Point, "distil"};
            e.point = m_point;
            emit(e);
        }
    }

    JobOutcome finish(Session& session) override
    {
        keep_data(session);
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = m_result.training.cancelled;
        if (m_accuracy)
            outcome.points.push_back(m_point);
        const std::string teacher = percent(m_result.teacher_accuracy);
        if (m_settings.student != "pruned") {
            outcome.summary =
                m_result.training.cancelled
                    ? "Distillation into " + m_settings.student + " stopped; nothing was written."
                    : "Distilled the model (" + teacher + ") into " + m_settings.student + " (" +
                          percent(m_point.params_kept) +
                          " of its parameters): " + percent(*m_accuracy) + "; wrote " +
                          m_settings.out_path + ".";
            return outcome;
        }
        auto& impl = session.impl();
        impl.commit(*m_net, m_masks, std::move(m_importance));
        impl.accuracy = m_accuracy;
        outcome.accuracy = m_accuracy;
        outcome.summary = m_result.training.cancelled
                              ? "Distillation stopped: the weights of the last completed step are "
                                "kept, masks applied."
                              : "Distilled from the dense model (" + teacher + ") for " +
                                    std::to_string(m_settings.epochs) + " epoch(s), masks held: " +
                                    accuracy_change(m_accuracy_before, m_accuracy) + ".";
        return outcome;
    }

private:
    DistillSettings m_settings;
    std::shared_ptr<PrunableNet> m_teacher;
    int64_t m_teacher_params = 0;
    int64_t m_teacher_flops = 0;
    DistillResult m_result;
    std::optional<double> m_accuracy;
    CurvePoint m_point;
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

std::unique_ptr<SessionJob> Session::make_distill_job(const DistillSettings& settings) const
{
    return std::make_unique<DistillJob>(*this, settings);
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
