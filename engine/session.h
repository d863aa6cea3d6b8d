#pragma once

// A LibTorch-free handle on an open model, for the app and anything else that should not
// compile the heavy headers. The engine's torch-facing API stays available underneath.

#include "engine/model_info.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace prunelab {

/// A layer's score histogram, binned over [min, max] of its scores.
struct LayerHistogram
{
    std::string layer;
    std::vector<double> bin_lefts;
    double bin_width = 1.0;
    std::vector<double> counts;
    int64_t total = 0;
};

/// Where a layer's threshold stands.
struct LayerPruneState
{
    std::string layer;
    int64_t elements = 0; ///< scored elements (weights or units)
    int64_t pruned = 0;
    float threshold = 0.0f;
};

class Session
{
public:
    /// Opens a MODEL argument (`default`, a built-in name, or a checkpoint path).
    /// @throws prunelab::Error naming the model and the problem.
    static std::unique_ptr<Session> open(const std::string& model);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// The argument it was opened from.
    const std::string& source() const;
    /// Layers, parameters, sparsity and FLOPs of the model as it is now.
    ModelInfo info() const;
    /// The DATA spec recorded with the model, or "fashion-mnist".
    std::string data_spec() const;
    /// Test accuracy recorded in the checkpoint, if any.
    std::optional<double> recorded_accuracy() const;

    /// Scores the dense weights with a data-free criterion (l1, l2, random) at a granularity,
    /// and forgets earlier thresholds. Sorts once; thresholds are cheap afterwards.
    /// @throws prunelab::Error for a criterion that needs data or an unknown name.
    void score(const std::string& criterion, const std::string& granularity);
    bool is_scored() const;
    /// Whether the current granularity prunes this layer (neuron → Linear, filter → Conv2d,
    /// never the output layer's units).
    bool applies_to(const std::string& layer) const;
    /// @throws prunelab::Error when not scored or the layer is unknown.
    LayerHistogram histogram(const std::string& layer, int bins = 60) const;
    /// Prunes the layer's elements scoring <= threshold (from the dense weights) and applies
    /// every layer's current threshold to the model.
    LayerPruneState set_threshold(const std::string& layer, float threshold);
    LayerPruneState prune_state(const std::string& layer) const;
    /// Ranks every layer together (global_unstructured semantics) and sets each layer's
    /// threshold to prune `rate` of all scored elements. @throws prunelab::Error for a rate
    /// outside [0, 1].
    void set_global_rate(double rate);
    /// Every layer's current threshold (layers without one are absent).
    std::map<std::string, float> thresholds() const;
    /// Replaces all thresholds at once (for undo) and applies them.
    void set_thresholds(const std::map<std::string, float>& thresholds);

private:
    Session();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace prunelab
