#pragma once

#include "engine/pruning/importance.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// What a layer's scores are divided by before they are ranked against other layers' (as
/// Torch-Pruning's `normalizer`): raw filter norms grow with a layer's fan-in, so a global rate
/// over raw scores takes whole early layers first.
enum class ScoreNormalizer
{
    None, ///< raw scores (global magnitude pruning)
    L2,   ///< ÷ the l2 norm of the layer's scores
    Max,  ///< ÷ the layer's largest score
    Mean  ///< ÷ the layer's mean score
};

/// "none", "l2", "max", "mean". @throws prunelab::Error naming the choices for anything else.
ScoreNormalizer parse_score_normalizer(const std::string& name);
std::string to_string(ScoreNormalizer normalizer);

/// How a global rate is shared among layers.
struct GlobalRanking
{
    ScoreNormalizer normalizer = ScoreNormalizer::None;
    /// No layer loses more than this share of its elements (or the global rate itself when
    /// that is higher, so every rate stays reachable); what a capped layer cannot take goes
    /// to the next-lowest scores elsewhere.
    double max_layer_rate = 1.0;
};

/// Scores sorted once, so that every later threshold or rate query costs a binary search and
/// every mask one vectorized pass — what dragging a threshold line needs. A global rate over
/// many layers finds its threshold by bisection over the float values using per-layer binary
/// searches, without concatenating or re-sorting anything.
class ScoreIndex
{
public:
    explicit ScoreIndex(const ImportanceResult& importance);

    size_t layer_count() const { return m_layers.size(); }
    /// Elements (weights or units) scored in layer i.
    int64_t size(size_t layer) const;
    const at::Tensor& scores(size_t layer) const { return m_layers[layer].scores; }
    /// Ascending scores of layer i.
    const at::Tensor& sorted(size_t layer) const { return m_layers[layer].sorted; }

    /// Elements whose score is <= threshold.
    int64_t count_at_or_below(size_t layer, float threshold) const;
    /// Fraction of layer i's elements whose score is <= threshold.
    double rate_for_threshold(size_t layer, float threshold) const;
    /// Number pruned for a rate: round-half-even(rate × size), as torch.nn.utils.prune does.
    int64_t count_for_rate(size_t layer, double rate) const;
    /// The score of the count-th smallest element (the threshold that prunes `count`), or
    /// -infinity for 0.
    float threshold_for_count(size_t layer, int64_t count) const;

    /// Over the union of `layers`: the smallest value θ with at least `count` elements <= θ
    /// (-infinity for count 0).
    float global_threshold(const std::vector<size_t>& layers, int64_t count) const;
    /// The same over scores divided by `scales` (one per layer of `layers`), each layer
    /// counting at most its cap.
    float global_threshold(const std::vector<size_t>& layers, int64_t count,
                           const std::vector<double>& scales,
                           const std::vector<int64_t>& caps) const;

    /// The one global ranking (the CLI's --global and the window's global rate both use it):
    /// per layer of `layers`, how many elements the round(rate × total) lowest (normalised)
    /// scores of their union take — everything below the cut, then ties at the cut in layer
    /// order, no layer above its cap — so exactly that many are pruned. Prune each layer with
    /// mask_pruning(layer, count): normalising a layer does not change its own order.
    /// @throws prunelab::Error for a rate outside [0, 1].
    std::vector<int64_t> global_counts(const std::vector<size_t>& layers, double rate,
                                       const GlobalRanking& ranking = {}) const;
    /// What layer i's scores are divided by under `normalizer` (1 when the statistic is not a
    /// positive finite number, e.g. a layer of zeros).
    double normalizer_scale(size_t layer, ScoreNormalizer normalizer) const;

    /// A bool keep-mask (true keeps) of layer i pruning exactly `count` elements: those below
    /// the threshold, and among ties at it the lowest indices.
    at::Tensor mask_pruning(size_t layer, int64_t count) const;
    /// A keep-mask pruning every element with score <= threshold.
    at::Tensor mask_for_threshold(size_t layer, float threshold) const;

private:
    struct Layer
    {
        at::Tensor scores; ///< flat view, float32
        at::Tensor sorted; ///< ascending
        double sum = 0.0;  ///< of the scores, for the normalizers
        double sum_of_squares = 0.0;
        double max = 0.0;
        std::vector<int64_t> shape;
    };
    std::vector<Layer> m_layers;
};

} // namespace prunelab
