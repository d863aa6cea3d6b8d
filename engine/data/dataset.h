#pragma once

#include "engine/data/augmentation.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// A labelled image set held as two whole tensors, so a batch is one index_select rather than
/// per-sample collation.
struct Dataset
{
    at::Tensor images; ///< float32 [N, C, H, W], already normalized
    at::Tensor labels; ///< int64 [N], in [0, num_classes)
    int64_t num_classes = 0;
    std::string name;
    /// Random crops and flips the trainer applies to batches drawn from this set (images:DIR
    /// training splits); evaluation never augments.
    Augmentation augmentation;

    int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
    /// Whether the labels mean anything: a `tensors:` file without "y" has none
    /// (num_classes 0; `labels` are zeros so batches still index them).
    bool labelled() const { return num_classes > 0; }
    /// [C, H, W] of one sample.
    std::vector<int64_t> sample_shape() const;
    /// The first `count` samples (all of them when count <= 0 or count >= size()).
    Dataset head(int64_t count) const;
    /// Samples [begin, end).
    Dataset slice(int64_t begin, int64_t end) const;
};

/// Per-channel normalization applied when a data set is loaded: x' = (x/255 - mean) / std.
struct Normalization
{
    std::vector<double> mean;
    std::vector<double> std;
};

/// What a DATA spec resolves to: train, optional validation, and test splits.
struct DataSplits
{
    Dataset train;
    Dataset validation; ///< what decisions are measured on (engine/training/held_out.h); empty
                        ///< when the validation fraction is 0
    Dataset test;
    Normalization normalization;
    std::string spec; ///< the spec it was loaded from, e.g. "fashion-mnist"
};

/// Converts uint8 images [N, C, H, W] to normalized float32.
at::Tensor normalize_images(const at::Tensor& images_u8, const Normalization& normalization);

} // namespace prunelab
