#include "engine/export/storage_sizes.h"

#include "engine/compaction/compaction.h"
#include "engine/core/error.h"
#include "engine/interop/script_net.h"
#include "engine/pruning/mask_set.h"

namespace prunelab {

nlohmann::json storage_sizes(const Checkpoint& checkpoint)
{
    CheckpointStorage sparse;
    sparse.sparse = true;
    CheckpointStorage int8 = sparse;
    int8.int8 = true;
    nlohmann::json sizes = {
        {"dense_bytes", checkpoint_bytes(checkpoint).size()},
        {"sparse_bytes", checkpoint_bytes(checkpoint, sparse).size()},
        {"sparse_int8_bytes", checkpoint_bytes(checkpoint, int8).size()},
        {"compacted_bytes", nullptr},
    };
    // TorchScript models compact into TorchScript files, not measured here.
    if (dynamic_cast<const ScriptNet*>(checkpoint.net.get()))
        return sizes;
    try {
        auto net = checkpoint.net->clone();
        const MaskSet masks = MaskSet::from_tensors(checkpoint.masks, *net);
        const CompactionResult compacted = compact(*net, masks);
        if (compacted.changed()) {
            Checkpoint small;
            small.net = compacted.net;
            small.masks = compacted.masks.to_bool();
            small.metadata = checkpoint.metadata;
            sizes["compacted_bytes"] = checkpoint_bytes(small).size();
        }
    } catch (const Error&) {
        // A model compaction refuses keeps its dense size: nothing to report for it.
    }
    return sizes;
}

} // namespace prunelab
