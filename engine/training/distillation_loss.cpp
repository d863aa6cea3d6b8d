#include "engine/training/distillation_loss.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/models/model_info.h"

#include <ATen/ATen.h>

#include <cmath>

namespace prunelab {

DistillationLoss distillation_loss(const at::Tensor& student_logits,
                                   const at::Tensor& teacher_logits, const at::Tensor& labels,
                                   double temperature, double alpha, int64_t normalizer)
{
    if (!(temperature > 0.0) || !std::isfinite(temperature))
        throw Error("distillation temperature must be a positive number, not " +
                    std::to_string(temperature));
    check_fraction(alpha, "distillation alpha");
    if (student_logits.sizes() != teacher_logits.sizes())
        throw Error("the student outputs " + format_shape(student_logits.sizes().vec()) +
                    " but the teacher outputs " + format_shape(teacher_logits.sizes().vec()));
    const double n = double(std::max<int64_t>(1, normalizer));
    const auto log_p_student = at::log_softmax(student_logits / temperature, 1);
    const auto log_p_teacher = at::log_softmax(teacher_logits.detach() / temperature, 1);
    // KL(p_t ‖ p_s) = Σ p_t (log p_t − log p_s), summed over classes and samples.
    const auto kl = (log_p_teacher.exp() * (log_p_teacher - log_p_student)).sum();
    const auto kd = kl * (temperature * temperature) / n;
    const auto ce = at::cross_entropy_loss(student_logits, labels, {}, at::Reduction::Sum) / n;
    DistillationLoss out;
    out.total = kd * alpha + ce * (1.0 - alpha);
    out.kd = kd.item<double>();
    out.ce = ce.item<double>();
    return out;
}

at::Tensor output_matching_loss(const at::Tensor& student, const at::Tensor& teacher,
                                int64_t normalizer)
{
    if (student.sizes() != teacher.sizes())
        throw Error("the student's outputs (" + std::to_string(student.size(-1)) +
                    " values per sample) do not match the teacher's (" +
                    std::to_string(teacher.size(-1)) + ")");
    return (student - teacher).pow(2).mean(1).sum() / double(normalizer);
}

} // namespace prunelab
