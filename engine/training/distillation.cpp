#include "engine/training/distillation.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/core/logging.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

namespace prunelab {

at::Tensor teacher_outputs(PrunableNet& teacher, const Dataset& data, int64_t batch)
{
    check_data_fits(teacher, data);
    const bool was_training = teacher.is_training();
    teacher.eval();
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> parts;
    for (int64_t begin = 0; begin < data.size(); begin += batch)
        parts.push_back(
            teacher.forward(data.images.slice(0, begin, std::min(begin + batch, data.size()))));
    teacher.train(was_training);
    return at::cat(parts).contiguous();
}

DistillResult distill(PrunableNet& teacher, PrunableNet& student, const Dataset& train_set,
                      const Dataset* eval_set, const DistillOptions& options,
                      const TrainProgressCallback& progress, const std::atomic<bool>* cancel,
                      const StepHooks& hooks, const at::Tensor& cached_teacher_logits)
{
    if (!(options.temperature() > 0.0) || !std::isfinite(options.temperature()))
        throw Error("distillation temperature must be a positive number, not " +
                    std::to_string(options.temperature()));
    check_fraction(options.alpha(), "distillation alpha");
    check_data_fits(teacher, train_set);
    check_data_fits(student, train_set);
    {
        // The outputs, not the specs: a model may be built for other class counts.
        at::NoGradGuard no_grad;
        const bool teacher_training = teacher.is_training();
        const bool student_training = student.is_training();
        teacher.eval();
        student.eval();
        const auto one = train_set.images.slice(0, 0, 1);
        const int64_t t = teacher.forward(one).size(1);
        const int64_t s = student.forward(one).size(1);
        teacher.train(teacher_training);
        student.train(student_training);
        if (t != s)
            throw Error("the teacher '" + teacher.spec().name + "' outputs " + std::to_string(t) +
                        " classes but the student '" + student.spec().name + "' outputs " +
                        std::to_string(s));
    }

    DistillResult result;
    const auto start = std::chrono::steady_clock::now();
    SoftTargets soft;
    soft.teacher_logits = cached_teacher_logits.defined() ? cached_teacher_logits
                                                          : teacher_outputs(teacher, train_set);
    soft.temperature = options.temperature();
    soft.alpha = options.alpha();
    result.teacher_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.teacher_accuracy = eval_set && !cached_teacher_logits.defined()
                                  ? evaluate(teacher, *eval_set).accuracy
                                  : std::nan("");
    logger()->info("distilling {} → {} (T {}, α {}): teacher outputs cached in {:.2f} s",
                   teacher.spec().name, student.spec().name, options.temperature(), options.alpha(),
                   result.teacher_seconds);
    result.training =
        train(student, train_set, eval_set, options.train, progress, cancel, hooks, &soft);
    return result;
}

} // namespace prunelab
