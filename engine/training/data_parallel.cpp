#include "engine/training/data_parallel.h"

#include "engine/models/model_state.h"
#include "engine/training/fidelity.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace prunelab {
namespace {

// Below this many samples per shard the hand-off costs more than it saves.
constexpr int64_t kMinSamplesPerShard = 8;

DataParallelStep::Result forward_backward(PrunableNet& net, const at::Tensor& images,
                                          const at::Tensor& labels, int64_t batch_size,
                                          const at::Tensor& teacher_logits, const SoftTargets* soft)
{
    for (auto& p : net.parameters())
        p.mutable_grad() = at::Tensor();
    DataParallelStep::Result result;
    if (soft && soft->teacher_model) {
        // No labels: the teacher's outputs (flattened in teacher_logits) are the targets.
        const auto loss = output_matching_loss(
            flatten_outputs(net.forward_all(images)).to(at::kFloat), teacher_logits, batch_size);
        loss.backward();
        result.loss = loss.item<double>();
        return result;
    }
    auto logits = net.forward(images);
    if (soft && teacher_logits.defined()) {
        const auto loss = distillation_loss(logits, teacher_logits, labels, soft->temperature,
                                            soft->alpha, batch_size);
        loss.total.backward();
        result.loss = loss.total.item<double>();
        result.kd = loss.kd;
        result.ce = loss.ce;
    } else {
        auto loss =
            at::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum) / double(batch_size);
        loss.backward();
        result.loss = loss.item<double>();
    }
    result.correct = logits.detach().argmax(1).eq(labels).sum().item<int64_t>();
    return result;
}

} // namespace

std::shared_ptr<PrunableNet> replicate(const PrunableNet& net)
{
    auto copy = net.clone();
    copy->train(net.is_training());
    return copy;
}

DataParallelStep::DataParallelStep(PrunableNet& net, int workers)
{
    for (int i = 1; i < workers; ++i) {
        m_replicas.push_back(replicate(net));
        m_workers.push_back(std::make_unique<ShardWorker>());
    }
}

DataParallelStep::~DataParallelStep() = default;

DataParallelStep::Result DataParallelStep::step(PrunableNet& net, const at::Tensor& images,
                                                const at::Tensor& labels,
                                                const at::Tensor& teacher_logits,
                                                const SoftTargets* soft)
{
    auto shard_of = [&](const at::Tensor& t, int64_t begin, int64_t end) {
        return t.defined() ? t.slice(0, begin, end) : at::Tensor();
    };
    const int64_t batch = images.size(0);
    int64_t shards = int64_t(m_replicas.size()) + 1;
    shards = std::max<int64_t>(1, std::min(shards, batch / kMinSamplesPerShard));
    if (shards == 1)
        return forward_backward(net, images, labels, batch, teacher_logits, soft);

    const int64_t per_shard = (batch + shards - 1) / shards;
    std::vector<Result> results(static_cast<size_t>(shards));
    for (int64_t s = 1; s < shards; ++s) {
        const int64_t begin = s * per_shard;
        const int64_t end = std::min(batch, begin + per_shard);
        auto replica = m_replicas[size_t(s - 1)];
        replica->train(net.is_training());
        auto shard_images = images.slice(0, begin, end);
        auto shard_labels = labels.slice(0, begin, end);
        auto shard_teacher = shard_of(teacher_logits, begin, end);
        m_workers[size_t(s - 1)]->start([=, &results] {
            results[size_t(s)] =
                forward_backward(*replica, shard_images, shard_labels, batch, shard_teacher, soft);
        });
    }
    results[0] = forward_backward(net, images.slice(0, 0, per_shard), labels.slice(0, 0, per_shard),
                                  batch, shard_of(teacher_logits, 0, per_shard), soft);
    for (int64_t s = 1; s < shards; ++s)
        m_workers[size_t(s - 1)]->wait();

    at::NoGradGuard no_grad;
    auto params = net.parameters();
    Result total;
    for (int64_t s = 0; s < shards; ++s) {
        total.loss += results[size_t(s)].loss;
        total.correct += results[size_t(s)].correct;
        total.kd += results[size_t(s)].kd;
        total.ce += results[size_t(s)].ce;
        if (s == 0)
            continue;
        auto replica_params = m_replicas[size_t(s - 1)]->parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            const auto& grad = replica_params[i].grad();
            if (!grad.defined())
                continue;
            if (params[i].grad().defined())
                params[i].mutable_grad().add_(grad);
            else
                params[i].mutable_grad() = grad.clone();
        }
    }
    return total;
}

void DataParallelStep::sync_replicas(PrunableNet& net)
{
    for (auto& replica : m_replicas)
        copy_state(net, *replica);
}

} // namespace prunelab
