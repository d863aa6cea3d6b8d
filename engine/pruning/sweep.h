#pragma once

#include "engine/data/dataset.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/importance.h"
#include "engine/training/held_out.h"
#include "engine/training/trainer.h"

#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

/// Accuracy against sparsity: for each criterion, score the dense model once, then for each
/// sparsity start again from the same dense weights, prune (global ranking or the same rate in
/// every layer), optionally fine-tune with masks held (by output matching for a model measured
/// by fidelity), and evaluate on the validation split.
struct SweepOptions
{
    std::vector<std::string> criteria = {"l1"};
    std::vector<double> sparsities = {0.5, 0.7, 0.9};
    Granularity granularity = Granularity::Weight;
    bool global = true;
    std::set<std::string> excluded;
    /// The global ranking (AllocationOptions::normalizer and max_layer_rate).
    std::optional<ScoreNormalizer> normalizer;
    std::optional<double> max_layer_rate;
    int calibration_batches = 32;
    int finetune_epochs = 0;
    TrainOptions finetune = TrainOptions().lr(5e-4).lr_schedule("constant");
    /// Recover each point by distillation from the dense model (same epochs and settings)
    /// instead of plain fine-tuning, with this temperature and weight.
    bool distill = false;
    double temperature = 4.0;
    double alpha = 0.9;
    uint64_t seed = 0;
};

struct SweepPoint
{
    std::string criterion;
    double target = 0.0;   ///< the requested rate
    double sparsity = 0.0; ///< of all prunable weights, measured
    double params_kept = 1.0;
    double flops_kept = 1.0;
    double accuracy = 0.0;
    double loss = 0.0;
    int finetune_epochs = 0;
};

struct SweepResult
{
    MeasuredOn measured;
    double dense_accuracy = 0.0;
    std::vector<SweepPoint> points;
    bool cancelled = false;
    std::vector<std::string> warnings;
};

/// Progress: points done of total.
/// @throws prunelab::Error for an empty list or a sparsity outside [0, 1].
void check_sparsities(const std::vector<double>& sparsities);

using SweepProgress = std::function<void(int done, int total, const std::string& what)>;

using SweepPointCallback = std::function<void(const SweepPoint&)>;

/// Runs a sweep; the model ends with its dense weights restored. `on_point` sees each point as
/// it is measured (for live curves).
/// @throws prunelab::Error for an empty criteria or sparsity list, a sparsity outside [0, 1],
///         or an unknown criterion (before any point runs).
SweepResult run_sweep(PrunableNet& net, const DataSplits& data, const SweepOptions& options,
                      const SweepProgress& progress = {}, const std::atomic<bool>* cancel = nullptr,
                      const SweepPointCallback& on_point = {});

} // namespace prunelab
