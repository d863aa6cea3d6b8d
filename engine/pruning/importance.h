#pragma once

#include "engine/core/option_macros.h"
#include "engine/data/dataset.h"

#include <ATen/Tensor.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

/// What one mask entry removes: a single weight, a Linear output neuron, a Conv2d filter, or an
/// attention head (its rows of q, k and v and its columns of the output projection).
enum class Granularity
{
    Weight,
    Neuron,
    Filter,
    Head
};

/// "weight", "neuron", "filter", "head". @throws prunelab::Error for another name.
Granularity parse_granularity(const std::string& name);
std::string to_string(Granularity granularity);

/// Criterion names: l1, l2, activation, activation-abs, gradient, taylor, wanda, random.
std::vector<std::string> criterion_names();
/// True when the criterion needs calibration data (activation, gradient, taylor).
bool criterion_needs_data(const std::string& criterion);

struct ImportanceOptions
{
    PRUNELAB_OPTION(std::string, criterion, "l1");
    PRUNELAB_OPTION(Granularity, granularity, Granularity::Weight);
    /// Batches of calibration data for data-driven criteria.
    PRUNELAB_OPTION(int, calibration_batches, 32);
    PRUNELAB_OPTION(int64_t, batch, 128);
    PRUNELAB_OPTION(uint64_t, seed, 0); ///< for `random`
    /// Neuron/filter: how the layers whose channels are coupled (by a residual addition) score
    /// a shared channel from their own unit scores: "mean" or "sum".
    PRUNELAB_OPTION(std::string, group_reduction, "mean");
};

/// One layer's scores: weight-shaped for Granularity::Weight, one per output unit otherwise.
/// Higher means more important; the lowest are pruned first.
struct LayerScores
{
    std::string layer; ///< "conv1"
    std::string kind;  ///< "Conv2d" or "Linear"
    at::Tensor scores; ///< float32, contiguous
    /// Neuron/filter: false when the layer's channels cannot be removed (the output layer, or
    /// a group an unsupported op touches).
    bool structurally_prunable = true;
    /// Neuron/filter: the layer that leads this layer's channel group (itself when its channels
    /// are its own). Coupled layers share the group's scores and follow the leader's pruning.
    std::string group_leader;
};

struct ImportanceResult
{
    std::string criterion;
    Granularity granularity = Granularity::Weight;
    std::vector<LayerScores> layers;
    bool cancelled = false;
    std::vector<std::string> warnings;

    const LayerScores* find(const std::string& layer) const;
};

using ImportanceProgress = std::function<void(int done, int total)>;

struct DependencyResult;

/// Neuron/filter: sets each layer's structurally_prunable and group_leader from the model's
/// channel groups (compute_importance does; so does a Pruner, for scores read back from a file).
void mark_channel_groups(ImportanceResult& importance, const DependencyResult& dependencies);

/// Scores every prunable layer of `net` (a model's current weights, masks applied).
///  - weight: l1/l2 = |w|, gradient = mean over batches of |dL/dw|, taylor = mean |w·dL/dw|,
///    wanda = |w_ij|·‖x_j‖₂ (the input it multiplies, over every calibration sample and
///    position; Sun et al. 2023), random; activation criteria are per-unit and rejected here.
///  - neuron/filter: l1/l2 = the norm of the unit's weights; activation = mean output of the unit
///    (before its nonlinearity) over the calibration samples, activation-abs = mean |output|;
///    gradient = mean over samples of ‖dL/dn‖ (over the unit's spatial positions); taylor =
///    mean over samples of |Σ_positions n·dL/dn|; random. Layers whose channels a residual
///    addition couples get their group's scores (mean or sum of theirs; see group_reduction).
/// Data-driven scores are divided by their layer's L2 norm so global ranking compares layers
/// fairly. `calibration` may be null for l1, l2 and random. Weights are not changed; gradients are
/// cleared afterwards. Reports progress per calibration batch and stops when `cancel` is set.
/// @throws prunelab::Error for an unknown criterion, a criterion/granularity mismatch, a
///         missing or ill-shaped calibration set, or NaN scores.
ImportanceResult compute_importance(PrunableNet& net, const Dataset* calibration,
                                    const ImportanceOptions& options,
                                    const ImportanceProgress& progress = {},
                                    const std::atomic<bool>* cancel = nullptr);

} // namespace prunelab
