#pragma once

// How closely a (pruned) model reproduces a reference model's outputs — the measure for models
// that are not classifiers (feature maps, embeddings, segmentation, several outputs), and a
// second opinion for classifiers (top-1 agreement).

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace prunelab {

class PrunableNet;
struct Dataset;

struct Fidelity
{
    /// ‖y − r‖ / ‖r‖ over every output element of every sample (0: identical).
    double relative_l2 = 0.0;
    /// Mean over samples of the cosine similarity between a sample's outputs (all of them,
    /// flattened and concatenated) and the reference's (1: same direction).
    double cosine = 1.0;
    /// Classifiers only: the fraction of samples whose top-1 class equals the reference's
    /// (NaN for other models).
    double agreement = 0.0;
    int64_t samples = 0;
};

/// Every output of one batch as [batch, features] (each reshaped, then side by side), float64.
at::Tensor flatten_outputs(const std::vector<at::Tensor>& outputs);

/// Runs both models in eval mode without gradients over `data`'s inputs (labels are not read)
/// and compares every output; training flags are restored.
/// @throws prunelab::Error when the data set is empty or the models' outputs differ in number
///         or shape (the message names both shapes).
Fidelity measure_fidelity(PrunableNet& net, PrunableNet& reference, const Dataset& data,
                          int64_t batch = 250);

} // namespace prunelab
