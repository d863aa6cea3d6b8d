#pragma once

#include "engine/core/shard_worker.h"
#include "engine/models/models.h"
#include "engine/training/distillation_loss.h"

#include <memory>
#include <vector>

namespace prunelab {

/// A fresh model of the same spec holding a copy of `net`'s parameters and buffers.
std::shared_ptr<PrunableNet> replicate(const PrunableNet& net);

/// Computes one training step's gradients with the batch split across `workers` cores: shard 0
/// on the calling thread with `net`, the others on helper threads with replicas. The shard
/// losses are summed and divided by the whole batch, so the summed gradients equal the
/// full-batch gradient (up to float rounding), and the reduction order is fixed, so runs are
/// deterministic for a seed and worker count. BatchNorm statistics come from shard 0 only.
class DataParallelStep
{
public:
    struct Result
    {
        double loss = 0.0; ///< mean loss over the batch (cross-entropy, or the distillation loss)
        int64_t correct = 0;
        double kd = 0.0; ///< distillation only: the mean T²·KL part
        double ce = 0.0; ///< distillation only: the mean cross-entropy part
    };

    DataParallelStep(PrunableNet& net, int workers);
    ~DataParallelStep();

    /// Zeroes gradients, runs forward and backward on every shard, and leaves the summed
    /// gradient in `net`'s parameters. With `teacher_logits` (rows matching `images`) the loss
    /// is the distillation loss of `soft`.
    Result step(PrunableNet& net, const at::Tensor& images, const at::Tensor& labels,
                const at::Tensor& teacher_logits = {}, const SoftTargets* soft = nullptr);
    /// Copies `net`'s parameters and buffers into the replicas (after the optimizer step).
    void sync_replicas(PrunableNet& net);

private:
    std::vector<std::shared_ptr<PrunableNet>> m_replicas;
    std::vector<std::unique_ptr<ShardWorker>> m_workers;
};

} // namespace prunelab
