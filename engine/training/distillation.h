#pragma once

#include "engine/training/trainer.h"

#include <atomic>

namespace prunelab {

class PrunableNet;

/// Knowledge distillation settings: the loss's temperature T and weight α (see
/// distillation_loss), and how the student trains (optimizer, lr, epochs, batch, seed).
struct DistillOptions
{
    TrainOptions train = TrainOptions().epochs(5);
    PRUNELAB_OPTION(double, temperature, 4.0);
    PRUNELAB_OPTION(double, alpha, 0.9);
};

struct DistillResult
{
    TrainResult training;          ///< per epoch: student test accuracy, kd_loss, ce_loss
    double teacher_accuracy = 0.0; ///< on the evaluation set (NaN without one)
    double teacher_seconds = 0.0;  ///< computing the teacher's outputs once, for all epochs
};

/// The teacher's logits for every sample of `data`, in eval mode without gradients (its
/// training flag is restored).
at::Tensor teacher_outputs(PrunableNet& teacher, const Dataset& data, int64_t batch = 1000);

/// Trains `student` to match the frozen `teacher` (Hinton et al. 2015). The teacher runs once
/// over the training set in eval mode and its outputs are reused every epoch: it is frozen and
/// the data are not augmented, so they do not change with the order. Same progress callback,
/// cancel flag (per batch; the student keeps the last completed step) and hooks (e.g.
/// hold_masks for a pruned student) as train().
/// `cached_teacher_logits` (teacher_outputs of the same teacher and set) skips that pass, e.g.
/// across the points of a sweep.
/// @throws prunelab::Error for mismatched output sizes, a data set that does not fit either
///         model, T <= 0 or α outside [0, 1] — before any training.
DistillResult distill(PrunableNet& teacher, PrunableNet& student, const Dataset& train_set,
                      const Dataset* eval_set, const DistillOptions& options,
                      const TrainProgressCallback& progress = {},
                      const std::atomic<bool>* cancel = nullptr, const StepHooks& hooks = {},
                      const at::Tensor& cached_teacher_logits = {});

} // namespace prunelab
