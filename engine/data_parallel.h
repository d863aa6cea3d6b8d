#pragma once

#include "engine/models.h"
#include "engine/shard_worker.h"

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
        double loss = 0.0; ///< mean cross-entropy over the batch
        int64_t correct = 0;
    };

    DataParallelStep(PrunableNet& net, int workers);
    ~DataParallelStep();

    /// Zeroes gradients, runs forward and backward on every shard, and leaves the summed
    /// gradient in `net`'s parameters.
    Result step(PrunableNet& net, const at::Tensor& images, const at::Tensor& labels);
    /// Copies `net`'s parameters and buffers into the replicas (after the optimizer step).
    void sync_replicas(PrunableNet& net);

private:
    std::vector<std::shared_ptr<PrunableNet>> m_replicas;
    std::vector<std::unique_ptr<ShardWorker>> m_workers;
};

} // namespace prunelab
