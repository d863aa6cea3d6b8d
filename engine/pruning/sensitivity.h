#pragma once

// Per-layer sensitivity analysis and the allocation of a target sparsity by it.

#include "engine/pruning/importance.h"
#include "engine/pruning/sweep.h"

#include <atomic>
#include <map>
#include <string>
#include <vector>

namespace prunelab {

/// Per-layer sensitivity (as Distiller does): each layer pruned alone at each sparsity, the
/// rest dense, accuracy (or fidelity) on the validation split recorded.
struct SensitivityOptions
{
    std::string criterion = "l1";
    Granularity granularity = Granularity::Weight;
    std::vector<double> sparsities = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    int calibration_batches = 32;
    uint64_t seed = 0;
};

struct SensitivityPoint
{
    std::string layer;
    double sparsity = 0.0; ///< of the layer
    double accuracy = 0.0;
};

struct SensitivityResult
{
    MeasuredOn measured;
    double dense_accuracy = 0.0;
    std::vector<std::string> layers;     ///< the layers analysed, in model order
    std::vector<int64_t> layer_elements; ///< elements each layer's rate applies to
    std::vector<SensitivityPoint> points;
    bool cancelled = false;
};

/// @throws prunelab::Error as run_sweep. The model ends with its dense weights restored.
SensitivityResult run_sensitivity(PrunableNet& net, const DataSplits& data,
                                  const SensitivityOptions& options,
                                  const SweepProgress& progress = {},
                                  const std::atomic<bool>* cancel = nullptr);

/// Per-layer rates reaching `target` sparsity over the analysed layers while losing as little
/// accuracy as the curves predict: the largest accuracy drop δ is found by bisection such that
/// pruning each layer as far as its curve stays within δ of dense (linear interpolation between
/// measured points) reaches the target. Insensitive layers end up pruned harder.
/// @throws prunelab::Error for a target outside [0, 1).
std::map<std::string, double> allocate_by_sensitivity(const SensitivityResult& sensitivity,
                                                      double target);

} // namespace prunelab
