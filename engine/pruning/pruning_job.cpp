#include "engine/pruning/pruning_job.h"

#include "engine/core/error.h"
#include "engine/models/model_info.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>

#include <cmath>

namespace prunelab {
namespace {

AllocationOptions scaled(const AllocationOptions& final_rates, double fraction)
{
    AllocationOptions out = final_rates;
    if (out.global_rate())
        out.global_rate(*out.global_rate() * fraction);
    if (out.default_rate())
        out.default_rate(*out.default_rate() * fraction);
    for (auto& [name, setting] : out.layers)
        if (setting.rate)
            setting.rate = *setting.rate * fraction;
    return out;
}

bool uses_thresholds(const AllocationOptions& options)
{
    if (options.default_threshold())
        return true;
    for (const auto& [name, setting] : options.layers)
        if (setting.threshold)
            return true;
    return false;
}

} // namespace

void check_something_to_prune(PrunableNet& net, const PruningJobOptions& options)
{
    if (options.importance.granularity() == Granularity::Weight)
        return;
    // Magnitudes stand in for the real scores: cheap, and shaped as the granularity's units
    // (an attention head is many rows, a recurrent unit a row per gate).
    Pruner(net, compute_importance(net, nullptr,
                                   ImportanceOptions().criterion("l1").granularity(
                                       options.importance.granularity())))
        .allocate(options.allocation);
}

Schedule parse_schedule(const std::string& name)
{
    if (name == "oneshot")
        return Schedule::OneShot;
    if (name == "linear")
        return Schedule::Linear;
    if (name == "agp")
        return Schedule::Agp;
    throw Error("unknown schedule '" + name + "' (oneshot, linear or agp)");
}

std::string to_string(Schedule schedule)
{
    switch (schedule) {
    case Schedule::OneShot:
        return "oneshot";
    case Schedule::Linear:
        return "linear";
    case Schedule::Agp:
        return "agp";
    }
    return "?";
}

double schedule_fraction(Schedule schedule, int step, int steps)
{
    if (schedule == Schedule::OneShot || steps <= 1)
        return 1.0;
    const double t = double(step) / double(steps);
    if (schedule == Schedule::Linear)
        return t;
    return 1.0 - std::pow(1.0 - t, 3.0);
}

StepHooks hold_masks(const MaskSet& masks)
{
    StepHooks hooks;
    hooks.before_step = [&masks](PrunableNet& net) { masks.mask_gradients_(net); };
    hooks.after_step = [&masks](PrunableNet& net) { masks.apply_(net); };
    return hooks;
}

PruningJobResult run_pruning(PrunableNet& net, const DataSplits& data,
                             const PruningJobOptions& options,
                             const std::function<void(const PruningProgress&)>& progress,
                             const std::atomic<bool>* cancel)
{
    const int steps = options.schedule == Schedule::OneShot ? 1 : options.steps;
    if (steps < 1)
        throw Error("a schedule needs at least one step");
    if (steps > 1 && uses_thresholds(options.allocation))
        throw Error("iterative schedules scale rates; give rates, not thresholds");
    if (options.finetune_epochs < 0 || options.final_finetune_epochs < 0)
        throw Error("fine-tune epochs must be 0 or more");
    const Dataset& measured_split =
        options.measure_on_validation ? decision_split(data) : data.test;
    check_data_fits(net, measured_split);
    check_something_to_prune(net, options);

    PruningJobResult result;
    ModelInfo info = describe_model(net); // layout once; counts refreshed per step
    options.initial_masks.apply_(net);
    // A model without classes, or data without labels: measured, and fine-tuned, against the
    // model as it was before this job.
    const HeldOutMeasure measure(net, data);
    SoftTargets matching;
    matching.teacher_model = measure.reference();
    const SoftTargets* soft = measure.fidelity() ? &matching : nullptr;
    result.fidelity = measure.fidelity();
    result.measured = {measure.metric(), options.measure_on_validation ? decision_split_name(data)
                                                                       : std::string("test")};
    result.dense_accuracy = measure.on(net, measured_split).accuracy;
    std::vector<at::Tensor> previous_keep;
    // The final fine-tuning counts as one more step in the overall fraction.
    const double units = double(steps + (options.final_finetune_epochs > 0 ? 1 : 0));
    auto report = [&](const std::string& phase, int step, double within) {
        if (progress)
            progress({phase, step, steps, (double(step - 1) + within) / units});
    };

    for (int step = 1; step <= steps; ++step) {
        report("score", step, 0.0);
        if (cancel && cancel->load()) {
            result.cancelled = true;
            break;
        }
        ImportanceResult importance =
            compute_importance(net, &data.train, options.importance, {}, cancel);
        if (importance.cancelled) {
            result.cancelled = true;
            break;
        }
        // Elements pruned in earlier steps rank lowest, so they stay pruned.
        for (size_t i = 0; i < previous_keep.size() && i < importance.layers.size(); ++i)
            if (previous_keep[i].defined())
                importance.layers[i].scores.masked_fill_(previous_keep[i].eq(0), -INFINITY);

        const double fraction = schedule_fraction(options.schedule, step, steps);
        Pruner pruner(net, std::move(importance));
        AllocationResult allocation = pruner.allocate(scaled(options.allocation, fraction));
        for (const auto& [name, mask] : options.initial_masks.masks())
            allocation.masks.intersect(name, mask);
        allocation.masks.apply_(net);
        result.masks = allocation.masks;

        if (options.finetune_epochs > 0) {
            report("fine-tune", step, 0.2);
            auto finetune = options.finetune;
            finetune.epochs(options.finetune_epochs);
            const auto trained = train(
                net, data.train, nullptr, finetune,
                [&](const TrainProgress& p) {
                    report("fine-tune", step, 0.2 + 0.7 * p.fraction());
                },
                cancel, hold_masks(result.masks), soft);
            if (trained.cancelled) {
                result.cancelled = true;
                result.allocation = std::move(allocation);
                break;
            }
        }
        report("evaluate", step, 0.9);
        const auto eval = measure.on(net, measured_split);
        PruningStep record;
        record.step = step;
        record.rate_fraction = fraction;
        update_weight_counts(info, net);
        record.sparsity = info.sparsity();
        record.params_kept = info.params_kept();
        record.flops_kept = info.flops_kept();
        record.accuracy = eval.accuracy;
        record.loss = eval.loss;
        record.pruned_elements = allocation.pruned_elements;
        result.steps.push_back(record);
        for (const auto& w : allocation.warnings)
            result.warnings.push_back("step " + std::to_string(step) + ": " + w);

        previous_keep.assign(allocation.layers.size(), at::Tensor());
        for (size_t i = 0; i < allocation.layers.size(); ++i)
            previous_keep[i] = allocation.layers[i].keep;
        result.allocation = std::move(allocation);
        report("evaluate", step, 1.0);
    }

    if (!result.cancelled && !result.steps.empty() && options.final_finetune_epochs > 0) {
        auto finetune = options.finetune;
        finetune.epochs(options.final_finetune_epochs).lr_schedule("cosine");
        const auto trained = train(
            net, data.train, nullptr, finetune,
            [&](const TrainProgress& p) {
                if (progress)
                    progress(
                        {"final fine-tune", steps, steps, (double(steps) + p.fraction()) / units});
            },
            cancel, hold_masks(result.masks), soft);
        if (trained.cancelled) {
            result.cancelled = true;
            return result;
        }
        PruningStep record = result.steps.back();
        const auto eval = measure.on(net, measured_split);
        record.accuracy = eval.accuracy;
        record.loss = eval.loss;
        update_weight_counts(info, net);
        record.sparsity = info.sparsity();
        record.final_finetune = true;
        result.steps.push_back(record);
    }
    return result;
}

} // namespace prunelab
