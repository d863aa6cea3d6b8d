#pragma once

// Inference latency as a user of the exported model would see it: eval mode, no autograd,
// warm-up runs first, then the median of many timed runs. Several models are timed in turns
// (one run of each, then the next round), so a noisy shared machine slows them alike and their
// ratios stay meaningful.

#include "engine/core/option_macros.h"

#include <cstdint>
#include <vector>

namespace prunelab {

class PrunableNet;

struct LatencyOptions
{
    PRUNELAB_OPTION(int64_t, batch, 1);
    PRUNELAB_OPTION(int, warmup, 5);
    PRUNELAB_OPTION(int, runs, 30);
    /// Stop early (after at least 5 rounds) once this much time has gone to timed runs.
    PRUNELAB_OPTION(double, max_seconds, 20.0);
    PRUNELAB_OPTION(uint64_t, seed, 0);
};

struct LatencyResult
{
    double median_ms = 0.0;
    double min_ms = 0.0;
    double max_ms = 0.0;
    double throughput = 0.0; ///< samples per second at the median
    int runs = 0;
    int64_t batch = 0;
};

/// Times the forward pass of each model on the same random batch (its spec's input shape; all
/// models must take the same). Training flags are restored.
/// @throws prunelab::Error for a batch < 1, no models, or models with different input shapes.
std::vector<LatencyResult> measure_latency(const std::vector<PrunableNet*>& models,
                                           const LatencyOptions& options = {});

} // namespace prunelab
