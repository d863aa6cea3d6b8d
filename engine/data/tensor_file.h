#pragma once

// A user's own data saved from Python: `tensors:FILE`, a dict of tensors written with
// torch.save — {"x": N×…, "y": N} for labelled samples, {"x": N×…} for inputs alone (a model
// without classes, or output matching against a reference), and optionally "x_test"/"y_test"
// for a test split of its own.

#include "engine/data/dataset.h"

#include <cstdint>
#include <string>

namespace prunelab {

/// Loads FILE. Without "x_test" the test split is `test_fraction` of the samples, chosen by a
/// shuffle fixed by `seed`. Inputs become float32; labels int64 with num_classes = max + 1, or
/// none (num_classes 0: Dataset::labelled() is false).
/// @throws prunelab::Error naming the file and the key: missing or not a torch.save file, not a
///         dict, no "x", labels that are not integers in [0, 100000) or that do not match the
///         sample count, fewer than two samples, NaN or infinite inputs.
DataSplits load_tensor_file(const std::string& path, uint64_t seed = 0, double test_fraction = 0.2);

} // namespace prunelab
