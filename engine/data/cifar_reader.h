#pragma once

#include "engine/data/idx_reader.h"

#include <string>

namespace prunelab {

/// Loads CIFAR-10 binary batches from a directory (data_batch_1..5.bin for training,
/// test_batch.bin for test; a "cifar-10-batches-bin" subdirectory is also searched).
/// Returns images as uint8 [N, 3, 32, 32] and labels as int64 [N].
/// @throws prunelab::Error naming the file when it is missing, its size is not a whole number
///         of 3073-byte records, or a label is outside 0..9.
IdxSplit load_cifar10_split(const std::string& directory, bool train);

} // namespace prunelab
