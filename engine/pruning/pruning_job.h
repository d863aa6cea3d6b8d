#pragma once

#include "engine/data/dataset.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/importance.h"
#include "engine/training/held_out.h"
#include "engine/training/trainer.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

/// How the target is reached: all at once, or in `steps` prune → fine-tune rounds whose rates
/// grow linearly or by AGP's cubic schedule (Zhu & Gupta 2017): s_i = s·(1 − (1 − i/K)³).
enum class Schedule
{
    OneShot,
    Linear,
    Agp
};
Schedule parse_schedule(const std::string& name);
std::string to_string(Schedule schedule);

/// Fraction of the final rates reached after step `step` (1-based) of `steps`.
double schedule_fraction(Schedule schedule, int step, int steps);

/// Hooks that hold masks through training: gradients masked before each optimizer step and
/// weights re-masked after it, so pruned weights stay exactly zero.
StepHooks hold_masks(const MaskSet& masks);

struct PruningJobOptions
{
    ImportanceOptions importance;
    AllocationOptions allocation; ///< the final rates; schedules scale them per step
    Schedule schedule = Schedule::OneShot;
    int steps = 1;
    int finetune_epochs = 0; ///< per step
    /// Extra fine-tuning after the last step, masks held, with the fine-tune settings but a
    /// cosine learning-rate decay (the usual "recover" phase of an iterative schedule).
    int final_finetune_epochs = 0;
    TrainOptions finetune = TrainOptions().lr(5e-4).lr_schedule("constant");
    /// Masks the model already carries (from its checkpoint): kept pruned and combined into
    /// every step's masks.
    MaskSet initial_masks;
    /// Measure each step on the split decisions use (the window's live accuracy) instead of
    /// the test split (a command's final report).
    bool measure_on_validation = false;
};

struct PruningStep
{
    int step = 0;
    double rate_fraction = 0.0; ///< of the final rates
    double sparsity = 0.0;      ///< of all prunable weights, after the step
    double params_kept = 1.0;
    double flops_kept = 1.0;
    double accuracy = 0.0; ///< accuracy after the step's fine-tuning (for a model without
                           ///< classes: cosine fidelity to the model before the job), on
                           ///< PruningJobResult::measured's split
    double loss = 0.0;
    int64_t pruned_elements = 0;
    bool final_finetune = false; ///< the record of the final fine-tuning, after the last step
};

struct PruningJobResult
{
    double dense_accuracy = 0.0; ///< before this job (initial masks applied)
    bool fidelity = false;       ///< accuracies are output fidelity (a model without classes)
    MeasuredOn measured;         ///< what the accuracies are, on which split
    std::vector<PruningStep> steps;
    AllocationResult allocation; ///< of the last completed step
    MaskSet masks;               ///< of the last completed step
    bool cancelled = false;
    std::vector<std::string> warnings;
};

/// Structured pruning that can reach no layer is refused before the data is loaded, the dense
/// evaluation and the scoring (minutes on a transformer-sized model): a dry allocation on
/// placeholder scores says "nothing to prune" exactly when the real one would. Weight pruning
/// always reaches a layer unless every one is excluded (the real allocation says so).
/// @throws prunelab::Error "nothing to prune: ..." (run_pruning checks it too).
void check_something_to_prune(PrunableNet& net, const PruningJobOptions& options);

/// Progress of a pruning job: a phase ("score", "fine-tune", "evaluate"), the step, and the
/// overall fraction done.
struct PruningProgress
{
    std::string phase;
    int step = 0;
    int steps = 0;
    double fraction = 0.0;
};

/// Scores, allocates, applies masks, and fine-tunes (masks held), per the schedule. Each step
/// re-scores the current weights; elements pruned earlier stay pruned. On cancel the model
/// holds the masks of the last completed step (or is unchanged if none completed).
/// @throws prunelab::Error for bad options (thresholds with a multi-step schedule, rates out of
///         range, unknown layers) before changing the model.
PruningJobResult run_pruning(PrunableNet& net, const DataSplits& data,
                             const PruningJobOptions& options,
                             const std::function<void(const PruningProgress&)>& progress = {},
                             const std::atomic<bool>* cancel = nullptr);

} // namespace prunelab
