#pragma once

// Weight masks decided within each output row rather than across a layer: a rate per row (how
// Wanda compares weights: only with the others feeding the same output) and the N:M pattern
// (keep the n largest of every m consecutive input weights, as sparse tensor cores run 2:4).

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>

namespace prunelab {

struct NmPattern
{
    int64_t n = 2;
    int64_t m = 4;
};

/// "2:4" → {2, 4}. @throws prunelab::Error unless 0 < n < m <= 64.
NmPattern parse_nm_pattern(const std::string& text);
std::string to_string(const NmPattern& pattern);

/// A keep mask over weight-shaped `scores` ([out, ...]): in every output row the
/// round(rate · row length) lowest scores are pruned.
at::Tensor keep_per_row(const at::Tensor& scores, double rate);

/// A keep mask keeping the n highest of every m consecutive input weights (along dimension 1;
/// for a convolution at each kernel position). Undefined when the input count is not a
/// multiple of m.
at::Tensor keep_n_of_m(const at::Tensor& scores, const NmPattern& pattern);

/// True when no group of m consecutive input weights keeps more than n.
bool satisfies_n_of_m(const at::Tensor& keep, const NmPattern& pattern);

} // namespace prunelab
