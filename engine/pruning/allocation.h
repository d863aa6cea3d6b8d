#pragma once

#include "engine/core/option_macros.h"
#include "engine/models/dependency.h"
#include "engine/models/models.h"
#include "engine/pruning/importance.h"
#include "engine/pruning/mask_set.h"
#include "engine/pruning/row_patterns.h"
#include "engine/pruning/score_index.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

/// Per-layer settings; a layer without one follows the global or default rate.
struct LayerSetting
{
    std::optional<double> rate;     ///< fraction of the layer's elements to prune
    std::optional<float> threshold; ///< prune elements scoring <= threshold
    /// Prune exactly this many, the lowest-scored, ties by index (a rate's or a global rate's
    /// cut replayed exactly, as the window keeps it).
    std::optional<int64_t> count;
};

/// How much to prune where. Precedence per layer: excluded (never pruned) > its own setting >
/// the global rate (ranked across all layers that are neither excluded nor locked) > the
/// default rate or threshold.
struct AllocationOptions
{
    PRUNELAB_OPTION(std::optional<double>, global_rate, std::nullopt);
    PRUNELAB_OPTION(std::optional<double>, default_rate, std::nullopt);
    PRUNELAB_OPTION(std::optional<float>, default_threshold, std::nullopt);
    PRUNELAB_OPTION(std::set<std::string>, excluded, std::set<std::string>{});
    /// What each layer's scores are divided by before the global ranking; unset: the layer's
    /// mean for units (filters, neurons, heads: raw norms grow with fan-in), none for single
    /// weights (global magnitude pruning).
    PRUNELAB_OPTION(std::optional<ScoreNormalizer>, normalizer, std::nullopt);
    /// A global rate takes at most this share of any layer (or the global rate when higher);
    /// unset: 0.9 for units, no limit for single weights (global magnitude pruning's point is
    /// that layers end at different rates).
    PRUNELAB_OPTION(std::optional<double>, max_layer_rate, std::nullopt);
    /// Locked layers keep their own setting and stay out of the global ranking.
    PRUNELAB_OPTION(std::set<std::string>, locked, std::set<std::string>{});
    /// Structured only: round kept units to a multiple of this (0 = no rounding; 8 or 16).
    PRUNELAB_OPTION(int64_t, round_to, 0);
    /// Never prune every element of a layer: keep its best one and warn.
    PRUNELAB_OPTION(bool, keep_at_least_one, true);
    /// Weight granularity: a layer's rate (or the global rate, as one rate for all) is taken
    /// within every output row rather than across the layer: each output keeps the same share
    /// of its inputs (how Wanda compares weights).
    PRUNELAB_OPTION(bool, per_row, false);
    /// Weight granularity: every selected layer gets this N:M pattern instead of a rate (a
    /// layer whose input count is not a multiple of M stays dense, with a warning).
    PRUNELAB_OPTION(std::optional<NmPattern>, pattern, std::nullopt);

public:
    std::map<std::string, LayerSetting> layers;
};

/// The normalizer a global rate uses when none is chosen (see AllocationOptions::normalizer).
ScoreNormalizer default_normalizer(Granularity granularity);
/// The most one layer loses to a global rate when no limit is chosen (see max_layer_rate).
double default_max_layer_rate(Granularity granularity);
/// The options' global ranking at a granularity, defaults resolved.
GlobalRanking global_ranking(const AllocationOptions& options, Granularity granularity);

/// What the allocation decided for one layer.
struct LayerAllocation
{
    std::string layer;
    std::string kind;
    bool pruned = false;  ///< false for excluded or inapplicable layers
    int64_t elements = 0; ///< weights (weight granularity) or units (neuron/filter)
    int64_t pruned_elements = 0;
    double rate = 0.0;      ///< pruned_elements / elements
    float threshold = 0.0f; ///< the score at or below which elements are pruned
    at::Tensor keep;        ///< keep-mask over the scored elements (undefined if not pruned)
};

struct AllocationResult
{
    MaskSet masks;
    std::vector<LayerAllocation> layers;
    std::vector<std::string> warnings;
    int64_t elements = 0; ///< over the pruned layers
    int64_t pruned_elements = 0;
};

/// Turns importance scores into masks. Build it once per scoring (it sorts once); then each
/// allocate() costs binary searches and one mask pass per layer, cheap enough to call on
/// every mouse move. Holds the model's structure, not the model.
class Pruner
{
public:
    /// @throws prunelab::Error when the scores do not match the model's layers.
    Pruner(PrunableNet& net, ImportanceResult importance);

    const ImportanceResult& importance() const { return m_importance; }
    const ScoreIndex& index() const { return m_index; }
    Granularity granularity() const { return m_importance.granularity; }
    /// Index of a layer in importance().layers. @throws prunelab::Error for an unknown name.
    size_t layer_index(const std::string& layer) const;
    /// Whether the granularity applies to a layer (weight → all; neuron → Linear, filter →
    /// Conv2d, when they lead a prunable channel group: coupled layers follow their leader).
    bool applies_to(size_t layer) const;

    /// @throws prunelab::Error for a rate outside [0, 1] or NaN, an unknown layer name, or
    ///         when no layer can be pruned.
    AllocationResult allocate(const AllocationOptions& options) const;

private:
    int64_t rounded_count(size_t layer, int64_t count, int64_t round_to) const;
    void expand_masks(size_t layer, const at::Tensor& keep, MaskSet& masks) const;

    ImportanceResult m_importance;
    ScoreIndex m_index;
    DependencyResult m_dependencies;
    std::map<std::string, std::vector<int64_t>> m_weight_shapes;
    std::map<std::string, bool> m_has_bias;
};

} // namespace prunelab
