#pragma once

// Bytes on disk of one model in each storage a deployment can choose: the dense checkpoint,
// compacted (pruned channels removed), sparse (bitmask/CSR of the kept weights) and sparse with
// int8 values — the first two stages of Deep Compression (Han et al. 2016), measured by
// serializing each one.

#include "engine/interop/checkpoint.h"

#include <nlohmann/json.hpp>

namespace prunelab {

/// {"dense_bytes", "sparse_bytes", "sparse_int8_bytes", "compacted_bytes"} — compacted is null
/// when no whole channel is pruned or the model cannot be compacted.
nlohmann::json storage_sizes(const Checkpoint& checkpoint);

} // namespace prunelab
