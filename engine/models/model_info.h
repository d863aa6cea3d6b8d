#pragma once

// Plain descriptions of models and layers. Free of LibTorch and Qt so that the app and the
// widgets can use them without the heavy headers.

#include "engine/core/input_shapes.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prunelab {

/// What a built-in model is built from: its registered name and the data it is shaped for.
struct ModelSpec
{
    std::string name; ///< "convnet", "lenet300", "lenet5", "vgg-small", ...
    /// One sample as data sets hold it: [C, H, W] for built-ins, any rank else; for a model with
    /// several inputs their packed size [Σ sizes] (see `inputs`).
    std::vector<int64_t> input_shape;
    int64_t num_classes = 10; ///< 0: not a classifier (see PrunableNet::is_classifier)
    /// A model with several inputs: each one's sample shape, in forward's argument order (a
    /// packed sample is split into them). Empty for a model with one input.
    InputShapes inputs;
    /// Output channels (features) per layer of a compacted model; a layer not named here has
    /// the model's standard width.
    std::map<std::string, int64_t> widths;

    int64_t width(const std::string& layer, int64_t standard) const;
};

/// One prunable layer (Conv2d or Linear) as the rest of PruneLab sees it.
struct LayerInfo
{
    std::string name; ///< qualified name as in a PyTorch state_dict: "layer1.0.conv1"
    std::string kind; ///< "Conv2d" or "Linear"
    std::vector<int64_t> weight_shape; ///< [out, in, kh, kw] or [out, in]
    std::vector<int64_t> output_shape; ///< for one sample: [C, H, W] or [features]
    int64_t params = 0;                ///< weight + bias elements
    int64_t weight_count = 0;          ///< weight elements (what pruning masks)
    int64_t nonzero_weights = 0;
    int64_t flops = 0;           ///< dense multiply-accumulates for one sample
    int64_t effective_flops = 0; ///< multiply-accumulates with zero weights skipped

    /// Fraction of this layer's weights that are zero.
    double sparsity() const;
};

/// A whole model: its prunable layers and totals for one input sample.
struct ModelInfo
{
    ModelSpec spec;
    std::vector<LayerInfo> layers;
    int64_t total_params = 0; ///< every parameter, BatchNorm included
    int64_t prunable_weights = 0;
    int64_t nonzero_weights = 0;
    int64_t flops = 0;
    int64_t effective_flops = 0;

    /// Fraction of prunable weights that are zero.
    double sparsity() const;
    /// Fraction of all parameters left after zeroed weights are removed.
    double params_kept() const;
    /// Fraction of dense multiply-accumulates left when zero weights are skipped.
    double flops_kept() const;
};

/// "1×28×28" style rendering of a shape.
std::string format_shape(const std::vector<int64_t>& shape);

/// Every input of `spec`'s model: ModelSpec::inputs, or its one input_shape.
InputShapes model_inputs(const ModelSpec& spec);

} // namespace prunelab
