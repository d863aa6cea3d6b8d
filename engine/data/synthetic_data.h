#pragma once

#include "engine/data/dataset.h"
#include "engine/data/memory_cap.h"

#include <cstdint>
#include <vector>

namespace prunelab {

/// A generated, learnable data set: each class has a fixed random prototype image, and each
/// sample is its class prototype plus noise. Deterministic for a seed. For tests and for
/// models whose data is not at hand.
struct SyntheticSpec
{
    int64_t channels = 1;
    int64_t height = 28;
    int64_t width = 28;
    int64_t classes = 10;
    /// One sample's shape of any other rank (features, sequences, volumes): used instead of
    /// channels × height × width when it is set and not of rank 3.
    std::vector<int64_t> shape;
    int64_t train_size = 2048;
    int64_t test_size = 512;
    double noise = 0.8; ///< noise standard deviation relative to the prototypes' spread
    uint64_t seed = 7;
    /// Refuse to generate more than this many bytes (0: ¾ of the machine's memory): a typo in
    /// a shape or a limit must be an error, not a machine swapping to death.
    int64_t max_bytes = 0;
};

DataSplits make_synthetic(const SyntheticSpec& spec);

} // namespace prunelab
