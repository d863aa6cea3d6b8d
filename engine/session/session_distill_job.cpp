// The distillation job: a teacher (the model as opened) trains a student — a copy of the shown
// model with its masks held, or a fresh smaller built-in — on a worker thread.

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/pruning_job.h"
#include "engine/session/session_impl.h"
#include "engine/session/session_job_base.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"
#include "engine/training/held_out.h"
#include "engine/training/trainer.h"

#include <cmath>

namespace prunelab {
namespace {

using namespace session_jobs;

// --- distil -----------------------------------------------------------------------------------

class DistillJob : public CopyJob
{
public:
    DistillJob(const Session& session, const DistillSettings& settings)
        : CopyJob(session, false), m_settings(settings)
    {
        if (!(settings.temperature > 0.0) || !std::isfinite(settings.temperature))
            throw Error("the distillation temperature must be a positive number");
        check_fraction(settings.alpha, "distillation alpha");
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
    JobKind kind() const override { return JobKind::Distill; }
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
            *m_teacher, *m_net, splits.train, &decision_split(splits), options,
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
        impl.relative_l2.reset();
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

} // namespace

std::unique_ptr<SessionJob> Session::make_distill_job(const DistillSettings& settings) const
{
    return std::make_unique<DistillJob>(*this, settings);
}

} // namespace prunelab
