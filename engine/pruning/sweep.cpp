#include "engine/pruning/sweep.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/models/model_info.h"
#include "engine/models/model_state.h"
#include "engine/models/models.h"
#include "engine/pruning/pruning_job.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"
#include "engine/training/held_out.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

ImportanceOptions importance_options(const std::string& criterion, Granularity granularity,
                                     int calibration_batches, uint64_t seed)
{
    return ImportanceOptions()
        .criterion(criterion)
        .granularity(granularity)
        .calibration_batches(calibration_batches)
        .seed(seed);
}

} // namespace

void check_sparsities(const std::vector<double>& sparsities)
{
    if (sparsities.empty())
        throw Error("no sparsities to evaluate");
    for (double s : sparsities)
        check_fraction(s, "sparsity");
}

SweepResult run_sweep(PrunableNet& net, const DataSplits& data, const SweepOptions& options,
                      const SweepProgress& progress, const std::atomic<bool>* cancel,
                      const SweepPointCallback& on_point)
{
    if (options.criteria.empty())
        throw Error("no criteria to sweep");
    check_sparsities(options.sparsities);
    const auto known = criterion_names();
    for (const auto& c : options.criteria)
        if (std::find(known.begin(), known.end(), c) == known.end())
            throw Error("unknown criterion '" + c + "'");
    const HeldOutMeasure measure(net, data);
    check_data_fits(net, measure.split());
    if (options.distill && measure.fidelity() && options.finetune_epochs > 0)
        throw Error("distillation needs a classifier with labelled data; this model is fine-tuned "
                    "by matching the dense model's outputs (leave distillation off)");

    SweepResult result;
    result.measured = measure.measured_on(data);
    result.dense_accuracy = measure(net).accuracy;
    // A model measured by fidelity recovers by matching the dense model's outputs.
    SoftTargets matching;
    matching.teacher_model = measure.reference();
    ModelSnapshot dense(net);
    ModelInfo info = describe_model(net); // layout once; counts refreshed per point
    // Distillation recovers each point from the dense model: one frozen copy, its outputs over
    // the training set computed once for every point.
    std::shared_ptr<PrunableNet> teacher;
    at::Tensor teacher_logits;
    if (options.distill && options.finetune_epochs > 0) {
        teacher = replicate(net);
        teacher_logits = teacher_outputs(*teacher, data.train);
    }
    const int total = int(options.criteria.size() * options.sparsities.size());
    int done = 0;
    for (const auto& criterion : options.criteria) {
        dense.restore(); // score the dense model, not the previous criterion's last point
        const auto importance =
            compute_importance(net, &data.train,
                               importance_options(criterion, options.granularity,
                                                  options.calibration_batches, options.seed),
                               {}, cancel);
        if (importance.cancelled) {
            result.cancelled = true;
            break;
        }
        Pruner pruner(net, importance);
        for (double target : options.sparsities) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                break;
            }
            dense.restore();
            AllocationOptions allocation;
            if (options.global)
                allocation.global_rate(target);
            else
                allocation.default_rate(target);
            allocation.excluded(options.excluded)
                .normalizer(options.normalizer)
                .max_layer_rate(options.max_layer_rate);
            const auto allocated = pruner.allocate(allocation);
            allocated.masks.apply_(net);
            if (options.finetune_epochs > 0) {
                auto finetune = options.finetune;
                finetune.epochs(options.finetune_epochs);
                TrainResult trained;
                if (teacher) {
                    DistillOptions kd;
                    kd.train = finetune;
                    kd.temperature(options.temperature).alpha(options.alpha);
                    trained = distill(*teacher, net, data.train, nullptr, kd, {}, cancel,
                                      hold_masks(allocated.masks), teacher_logits)
                                  .training;
                } else {
                    trained = train(net, data.train, nullptr, finetune, {}, cancel,
                                    hold_masks(allocated.masks),
                                    measure.fidelity() ? &matching : nullptr);
                }
                if (trained.cancelled) {
                    result.cancelled = true;
                    break;
                }
            }
            const auto eval = measure(net);
            update_weight_counts(info, net);
            result.points.push_back({criterion, target, info.sparsity(), info.params_kept(),
                                     info.flops_kept(), eval.accuracy, eval.loss,
                                     options.finetune_epochs});
            if (on_point)
                on_point(result.points.back());
            if (progress)
                progress(++done, total, criterion);
        }
        if (result.cancelled)
            break;
    }
    dense.restore();
    return result;
}

} // namespace prunelab
