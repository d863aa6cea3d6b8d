#pragma once

#include <ATen/Tensor.h>

#include <cstdint>

namespace prunelab {

class PrunableNet;

/// Soft targets for knowledge distillation: the frozen teacher's logits for every training
/// sample (row i belongs to sample i), and the loss's temperature and weight. Or, for models
/// without labels, a teacher model whose outputs the student learns to reproduce.
struct SoftTargets
{
    at::Tensor teacher_logits; ///< float32 [N, classes]
    double temperature = 4.0;
    double alpha = 0.9;
    /// Output matching (self-distillation, no labels read): the teacher runs on every batch and
    /// the loss is the mean squared error over all its outputs (see output_matching_loss).
    PrunableNet* teacher_model = nullptr;
};

/// Mean over a batch of each sample's mean squared error between the student's and the
/// teacher's outputs (all outputs flattened side by side, [batch, features]), summed over the
/// samples and divided by `normalizer` like distillation_loss. Differentiable in `student`.
at::Tensor output_matching_loss(const at::Tensor& student, const at::Tensor& teacher,
                                int64_t normalizer);

/// The parts of a distillation loss over a batch, each summed over its samples and divided by
/// `normalizer` (the whole batch when a shard computes its part).
struct DistillationLoss
{
    at::Tensor total; ///< α·T²·KL + (1−α)·CE, differentiable
    double kd = 0.0;  ///< T²·KL(p_teacher ‖ p_student), softmax at temperature T
    double ce = 0.0;  ///< cross-entropy with the labels
};

/// Hinton et al. (2015): α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE(s, y) — the same as
/// PyTorch's `α·T²·F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction="batchmean")
/// + (1−α)·F.cross_entropy(s, y)` when normalizer is the batch size.
/// @throws prunelab::Error for T <= 0, α outside [0, 1], or mismatched shapes.
DistillationLoss distillation_loss(const at::Tensor& student_logits,
                                   const at::Tensor& teacher_logits, const at::Tensor& labels,
                                   double temperature, double alpha, int64_t normalizer);

} // namespace prunelab
