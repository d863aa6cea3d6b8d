#include "engine/training/trainer.h"

#include "engine/core/blas_threads.h"
#include "engine/core/error.h"
#include "engine/core/logging.h"
#include "engine/models/models.h"
#include "engine/training/data_parallel.h"
#include "engine/training/fidelity.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <spdlog/spdlog.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>

namespace prunelab {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void validate(const TrainOptions& o)
{
    if (o.optimizer() != "sgd" && o.optimizer() != "adam")
        throw Error("optimizer '" + o.optimizer() + "' is not supported (use sgd or adam)");
    if (!(o.lr() > 0.0) || !std::isfinite(o.lr()))
        throw Error("learning rate must be a positive number, not " + std::to_string(o.lr()));
    if (o.epochs() < 0)
        throw Error("epochs must be 0 or more");
    if (o.batch() < 1)
        throw Error("batch size must be at least 1");
    if (o.lr_schedule() != "constant" && o.lr_schedule() != "step" && o.lr_schedule() != "cosine")
        throw Error("lr schedule '" + o.lr_schedule() +
                    "' is not supported (constant, step, cosine)");
    if (o.lr_schedule() == "step" && o.step_size() < 1)
        throw Error("lr step size must be at least 1 epoch");
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(PrunableNet& net, const TrainOptions& o)
{
    if (o.optimizer() == "sgd")
        return std::make_unique<torch::optim::SGD>(
            net.parameters(),
            torch::optim::SGDOptions(o.lr()).momentum(o.momentum()).weight_decay(o.weight_decay()));
    return std::make_unique<torch::optim::Adam>(
        net.parameters(), torch::optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
}

double scheduled_lr(const TrainOptions& o, int epoch_index, double epoch_progress)
{
    if (o.lr_schedule() == "step")
        return o.lr() * std::pow(o.gamma(), epoch_index / o.step_size());
    if (o.lr_schedule() == "cosine" && o.epochs() > 0) {
        const double t = (epoch_index + epoch_progress) / o.epochs();
        return 0.5 * o.lr() * (1.0 + std::cos(M_PI * t));
    }
    return o.lr();
}

void set_lr(torch::optim::Optimizer& optimizer, double lr)
{
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(lr);
}

int resolve_threads(int requested)
{
    return requested > 0 ? requested : core_count();
}

/// Training runs each data-parallel shard single-threaded (see ShardWorker); restores the
/// caller's intra-op thread count afterwards.
class ThreadCountGuard
{
public:
    ThreadCountGuard() : m_previous(at::get_num_threads()), m_previous_blas(blas_threads())
    {
        at::set_num_threads(1);
        set_blas_threads(1);
    }
    ~ThreadCountGuard()
    {
        at::set_num_threads(m_previous);
        set_blas_threads(m_previous_blas);
    }

private:
    int m_previous;
    int m_previous_blas;
};

/// The teacher's outputs for a batch, flattened side by side: output matching's targets.
at::Tensor teacher_outputs(PrunableNet& teacher, const at::Tensor& images)
{
    at::NoGradGuard no_grad;
    const bool training = teacher.is_training();
    teacher.eval();
    at::Tensor out = flatten_outputs(teacher.forward_all(images)).to(at::kFloat);
    teacher.train(training);
    return out;
}

} // namespace

double TrainProgress::fraction() const
{
    if (epochs <= 0 || batches <= 0)
        return 0.0;
    return (double(epoch - 1) + double(batch) / double(batches)) / double(epochs);
}

void check_data_fits(const PrunableNet& net, const Dataset& data)
{
    const auto& spec = net.spec();
    if (data.size() == 0)
        throw Error("data set '" + data.name + "' is empty");
    if (data.sample_shape() != spec.input_shape)
        throw Error("data set '" + data.name + "' has " + format_shape(data.sample_shape()) +
                    " samples but model '" + spec.name + "' takes " +
                    format_shape(spec.input_shape));
    if (net.is_classifier() && data.num_classes > spec.num_classes)
        throw Error("data set '" + data.name + "' has " + std::to_string(data.num_classes) +
                    " classes but model '" + spec.name + "' outputs " +
                    std::to_string(spec.num_classes));
}

std::string not_a_classifier_message(const PrunableNet& net, const std::string& what)
{
    return what + " needs a classifier, and model '" + net.spec().name +
           "' returns no [batch, classes] logits: it is measured by output fidelity to the dense "
           "model instead";
}

std::string unlabelled_data_message(const Dataset& data, const std::string& what)
{
    return what + " needs labels, and data set '" + data.name +
           "' has none (no \"y\"): the model is measured by output fidelity to the dense model "
           "instead";
}

bool measured_by_fidelity(const PrunableNet& net, const Dataset& data)
{
    return !net.is_classifier() || !data.labelled();
}

std::string needs_labels_message(const PrunableNet& net, const Dataset& data,
                                 const std::string& what)
{
    return net.is_classifier() ? unlabelled_data_message(data, what)
                               : not_a_classifier_message(net, what);
}

EvalResult evaluate(PrunableNet& net, const Dataset& data, int64_t batch, PrunableNet* reference)
{
    check_data_fits(net, data);
    if (measured_by_fidelity(net, data)) {
        if (!reference)
            throw Error(needs_labels_message(net, data, "accuracy"));
        const Fidelity fidelity = measure_fidelity(net, *reference, data);
        EvalResult result;
        result.fidelity = true;
        result.samples = fidelity.samples;
        result.accuracy = result.cosine = fidelity.cosine;
        result.loss = result.relative_l2 = fidelity.relative_l2;
        return result;
    }
    const bool was_training = net.is_training();
    net.eval();
    at::NoGradGuard no_grad;
    EvalResult result;
    double loss_sum = 0.0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < data.size(); begin += batch) {
        const int64_t end = std::min(begin + batch, data.size());
        auto logits = net.forward(data.images.slice(0, begin, end));
        auto labels = data.labels.slice(0, begin, end);
        loss_sum += at::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum).item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
    }
    net.train(was_training);
    result.samples = data.size();
    result.accuracy = double(correct) / double(result.samples);
    result.loss = loss_sum / double(result.samples);
    if (reference) {
        const Fidelity fidelity = measure_fidelity(net, *reference, data);
        result.relative_l2 = fidelity.relative_l2;
        result.cosine = fidelity.cosine;
        result.agreement = fidelity.agreement;
    }
    return result;
}

TrainResult train(PrunableNet& net, const Dataset& train_set, const Dataset* eval_set,
                  const TrainOptions& options, const TrainProgressCallback& progress,
                  const std::atomic<bool>* cancel, const StepHooks& hooks, const SoftTargets* soft)
{
    validate(options);
    check_data_fits(net, train_set);
    const bool matching = soft && soft->teacher_model;
    if (!matching && measured_by_fidelity(net, train_set))
        throw Error(needs_labels_message(net, train_set, "training") +
                    "; fine-tune it by output matching against the dense model");
    if (soft && !matching && soft->teacher_logits.size(0) != train_set.size())
        throw Error("the teacher's outputs cover " + std::to_string(soft->teacher_logits.size(0)) +
                    " samples but the training set has " + std::to_string(train_set.size()));
    if (eval_set)
        check_data_fits(net, *eval_set);
    const int workers = resolve_threads(options.threads());
    ThreadCountGuard thread_guard;
    DataParallelStep parallel(net, workers);

    TrainResult result;
    const auto start = Clock::now();
    auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed());
    at::manual_seed(options.seed()); // dropout-style randomness inside models, if any
    auto optimizer = make_optimizer(net, options);
    const int64_t n = train_set.size();
    const int64_t batches = (n + options.batch() - 1) / options.batch();
    const int64_t total_steps = batches * options.epochs();
    int64_t steps_done = 0;

    for (int epoch = 0; epoch < options.epochs(); ++epoch) {
        net.train();
        const auto epoch_start = Clock::now();
        auto order = at::randperm(n, generator, at::TensorOptions().dtype(at::kLong));
        double loss_sum = 0.0;
        double kd_sum = 0.0;
        double ce_sum = 0.0;
        int64_t correct = 0;
        int64_t seen = 0;
        for (int64_t b = 0; b < batches; ++b) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                result.seconds = seconds_since(start);
                logger()->info("training cancelled in epoch {} at batch {}", epoch + 1, b);
                return result;
            }
            if (options.lr_schedule() == "cosine" || b == 0)
                set_lr(*optimizer, scheduled_lr(options, epoch, double(b) / double(batches)));
            auto index =
                order.slice(0, b * options.batch(), std::min(n, (b + 1) * options.batch()));
            auto images = train_set.images.index_select(0, index);
            auto labels = train_set.labels.index_select(0, index);
            // Teacher logits computed ahead of time belong to the samples as stored: augmenting
            // them would pair a crop with another view's targets.
            if (train_set.augmentation.any() && (matching || !soft))
                images = augment_batch(images, train_set.augmentation, generator);

            const auto teacher = matching ? teacher_outputs(*soft->teacher_model, images)
                                 : soft   ? soft->teacher_logits.index_select(0, index)
                                          : at::Tensor();
            const auto step = parallel.step(net, images, labels, teacher, soft);
            if (!std::isfinite(step.loss))
                throw Error("training diverged: the loss became " + std::to_string(step.loss) +
                            " in epoch " + std::to_string(epoch + 1) + ", batch " +
                            std::to_string(b + 1) + " (try a lower learning rate)");
            if (hooks.before_step)
                hooks.before_step(net);
            optimizer->step();
            if (hooks.after_step)
                hooks.after_step(net);
            parallel.sync_replicas(net);

            const int64_t count = index.size(0);
            loss_sum += step.loss * double(count);
            kd_sum += step.kd * double(count);
            ce_sum += step.ce * double(count);
            correct += step.correct;
            seen += count;
            ++steps_done;
            if (progress) {
                TrainProgress p;
                p.epoch = epoch + 1;
                p.epochs = options.epochs();
                p.batch = b + 1;
                p.batches = batches;
                p.loss = loss_sum / double(seen);
                p.elapsed_seconds = seconds_since(start);
                p.eta_seconds =
                    p.elapsed_seconds / double(steps_done) * double(total_steps - steps_done);
                progress(p);
            }
        }
        EpochStats stats;
        stats.epoch = epoch + 1;
        stats.train_loss = loss_sum / double(seen);
        stats.train_accuracy = matching ? std::nan("") : double(correct) / double(seen);
        stats.kd_loss = soft && !matching ? kd_sum / double(seen) : std::nan("");
        stats.ce_loss = soft && !matching ? ce_sum / double(seen) : std::nan("");
        stats.lr = optimizer->param_groups().front().options().get_lr();
        result.train_seconds += seconds_since(epoch_start);
        stats.eval_loss = stats.eval_accuracy = std::nan("");
        if (eval_set && options.evaluate_each_epoch()) {
            const auto eval =
                evaluate(net, *eval_set, 1000, matching ? soft->teacher_model : nullptr);
            stats.eval_loss = eval.loss;
            stats.eval_accuracy = eval.accuracy;
        }
        stats.seconds = seconds_since(epoch_start);
        result.samples_seen += seen;
        result.epochs.push_back(stats);
        if (hooks.after_epoch)
            hooks.after_epoch(stats);
        logger()->info("epoch {}/{}: loss {:.4f}, train acc {:.4f}, eval acc {:.4f}", stats.epoch,
                       options.epochs(), stats.train_loss, stats.train_accuracy,
                       stats.eval_accuracy);
    }
    result.seconds = seconds_since(start);
    return result;
}

} // namespace prunelab
