#pragma once

// Compaction: a physically smaller copy of a structurally pruned model. Every channel whose
// whole group is pruned (the producers' filters or neurons, their biases and BatchNorms all
// zero) is cut out of every member, so the new layers are narrower and the model computes the
// same outputs with fewer parameters and FLOPs — and runs faster.

#include "engine/core/option_macros.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/pruning/mask_set.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

struct CompactionOptions
{
    /// The compacted model's outputs must equal the masked model's within this (absolute, or
    /// relative to the largest output when that is above 1), or compaction is refused.
    PRUNELAB_OPTION(double, tolerance, 1e-4);
    /// Samples in the random probe batch that checks it.
    PRUNELAB_OPTION(int64_t, probe_batch, 4);
    PRUNELAB_OPTION(uint64_t, seed, 0);
};

/// One channel group that lost channels.
struct GroupCompaction
{
    std::string leader;              ///< the group's first producer layer
    std::vector<std::string> layers; ///< every layer whose weights changed shape
    int64_t channels_before = 0;
    int64_t channels_after = 0;
};

struct CompactionResult
{
    /// The smaller model: a built-in model with narrower widths in its spec, or a TorchScript
    /// model with narrower tensors. Null when nothing could be removed (see notes).
    std::shared_ptr<PrunableNet> net;
    MaskSet masks; ///< the input masks cut to the new shapes (weight-level sparsity left over)
    std::vector<GroupCompaction> groups;
    int64_t params_before = 0;
    int64_t params_after = 0;
    double max_abs_diff = 0.0;         ///< masked vs compacted outputs on the probe batch
    std::vector<std::string> notes;    ///< what was left and why, for the user
    std::vector<std::string> warnings; ///< groups an unsupported op kept whole

    bool changed() const { return net != nullptr; }
};

/// Builds the compacted copy of `net` (masks already applied to its weights; `masks` are cut
/// to the new shapes and returned). `net` is not changed.
/// @throws prunelab::Error when the compacted model would not compute the same outputs (a
///         TorchScript forward with hard-coded sizes, for instance), naming the difference.
CompactionResult compact(PrunableNet& net, const MaskSet& masks = {},
                         const CompactionOptions& options = {});

/// What `metadata.compaction` records of a compaction of `source`.
CompactionRecord compaction_record(const CompactionResult& result, const std::string& source);

} // namespace prunelab
