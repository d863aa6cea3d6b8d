#pragma once

#include "engine/core/option_macros.h"
#include "engine/data/dataset.h"
#include "engine/training/distillation_loss.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

/// Training settings. The defaults train the seed ConvNet past 90% on Fashion-MNIST in ten
/// epochs (see bench/RESULTS.md).
struct TrainOptions
{
    PRUNELAB_OPTION(std::string, optimizer, "adam"); ///< "sgd" or "adam"
    PRUNELAB_OPTION(double, lr, 2e-3);
    PRUNELAB_OPTION(double, momentum, 0.9); ///< SGD only
    PRUNELAB_OPTION(double, weight_decay, 0.0);
    PRUNELAB_OPTION(int, epochs, 10);
    PRUNELAB_OPTION(int64_t, batch, 64);
    PRUNELAB_OPTION(uint64_t, seed, 1);
    /// "constant", "step" (× gamma every step_size epochs) or "cosine" (to 0 over all epochs,
    /// updated every batch).
    PRUNELAB_OPTION(std::string, lr_schedule, "cosine");
    PRUNELAB_OPTION(int, step_size, 3);
    PRUNELAB_OPTION(double, gamma, 0.5);
    /// Intra-op threads; 0 uses every core.
    PRUNELAB_OPTION(int, threads, 0);
    /// Evaluate on the evaluation set after every epoch (when one is given).
    PRUNELAB_OPTION(bool, evaluate_each_epoch, true);
};

struct EpochStats;

/// Called around every optimizer step, e.g. to hold pruning masks.
using StepHook = std::function<void(PrunableNet&)>;
struct StepHooks
{
    StepHook before_step; ///< gradients are ready (e.g. mask them)
    StepHook after_step;  ///< weights were updated (e.g. re-apply masks)
    /// After each completed epoch (and its evaluation), e.g. for live curves.
    std::function<void(const EpochStats&)> after_epoch;
};

struct TrainProgress
{
    int epoch = 0; ///< 1-based
    int epochs = 0;
    int64_t batch = 0; ///< 1-based within the epoch
    int64_t batches = 0;
    double loss = 0.0; ///< running mean over the epoch so far
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;
    /// Overall fraction done, 0..1.
    double fraction() const;
};
using TrainProgressCallback = std::function<void(const TrainProgress&)>;

struct EpochStats
{
    int epoch = 0;
    double train_loss = 0.0;
    double train_accuracy = 0.0;
    double eval_loss = 0.0;     ///< NaN when no evaluation set was given
    double eval_accuracy = 0.0; ///< NaN when no evaluation set was given
    double lr = 0.0;            ///< learning rate at the end of the epoch
    double kd_loss = 0.0;       ///< distillation: mean T²·KL part (NaN otherwise)
    double ce_loss = 0.0;       ///< distillation: mean cross-entropy part (NaN otherwise)
    double seconds = 0.0;
};

struct TrainResult
{
    std::vector<EpochStats> epochs; ///< completed epochs only
    bool cancelled = false;
    int64_t samples_seen = 0;
    double seconds = 0.0;       ///< wall time, evaluation included
    double train_seconds = 0.0; ///< time spent in training steps only (for throughput)
    std::vector<std::string> warnings;
};

/// How good a model is on a data set. A classifier's quality is its top-1 accuracy; any other
/// model's is its output fidelity to a reference (the dense model): `accuracy` then holds the
/// mean cosine similarity and `loss` the relative L2 error, so curves, sweeps and sensitivity
/// plot one number whatever the task (`fidelity` says which it is).
struct EvalResult
{
    double accuracy = 0.0;
    double loss = 0.0;
    int64_t samples = 0;
    bool fidelity = false;             ///< measured against a reference, not labels
    double relative_l2 = std::nan(""); ///< with a reference
    double cosine = std::nan("");      ///< with a reference
    double agreement = std::nan("");   ///< with a reference, classifiers only
};

/// Trains `net` on `train_set`, evaluating on `eval_set` (may be null) after each epoch.
/// Deterministic for a seed. Checks `cancel` before every batch: when set, returns with
/// `cancelled` and the weights of the last completed step. With `soft` (one teacher row per
/// training sample) the loss is the distillation loss instead of plain cross-entropy.
/// @throws prunelab::Error for bad options, shape mismatches, or a loss that becomes NaN/inf.
TrainResult train(PrunableNet& net, const Dataset& train_set, const Dataset* eval_set,
                  const TrainOptions& options, const TrainProgressCallback& progress = {},
                  const std::atomic<bool>* cancel = nullptr, const StepHooks& hooks = {},
                  const SoftTargets* soft = nullptr);

/// Accuracy and mean cross-entropy over a data set, in eval mode without gradients; the
/// model's training flag is restored. With a `reference` (the dense model) also the output
/// fidelity to it — the only measure of a model that is not a classifier, or of data without
/// labels.
/// @throws prunelab::Error when the data set is empty or its shape does not fit the model, or
///         the model is not a classifier and no reference is given.
EvalResult evaluate(PrunableNet& net, const Dataset& data, int64_t batch = 1000,
                    PrunableNet* reference = nullptr);

/// The error for label-based work (accuracy, cross-entropy training) on a model without classes.
std::string not_a_classifier_message(const PrunableNet& net, const std::string& what);
/// The same for data without labels (a `tensors:` file without "y").
std::string unlabelled_data_message(const Dataset& data, const std::string& what);

/// Whether `net` on `data` is measured by output fidelity to a reference rather than by
/// accuracy, and fine-tuned by output matching: a model without classes, or data without
/// labels. The one rule evaluate, train, pruning jobs, the CLI and the window follow.
bool measured_by_fidelity(const PrunableNet& net, const Dataset& data);
/// Why label-based work (`what`: "accuracy", "training") cannot run on them, when it cannot.
std::string needs_labels_message(const PrunableNet& net, const Dataset& data,
                                 const std::string& what);

/// Checks that a data set's sample shape and classes fit a model.
/// @throws prunelab::Error naming both shapes.
void check_data_fits(const PrunableNet& net, const Dataset& data);

} // namespace prunelab
