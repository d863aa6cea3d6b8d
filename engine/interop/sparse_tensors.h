#pragma once

// Sparse storage of one tensor (docs/sparse-format.md): the positions that are kept as a bitmask
// (1 bit per element) or as CSR (row pointers and column indices, where that is smaller), the
// kept values in order, float32 or per-row symmetric int8 with a scale per row. What pruning
// saves on disk: a 90%-sparse weight takes ~0.53 bytes per element instead of 4 (~0.23 in int8).

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>

#include <string>

namespace prunelab {

struct SparseEncoding
{
    bool int8 = false; ///< quantize the kept values of weights (rank ≥ 2) per row to int8
};

/// `tensor` as a dict: {"encoding": "dense"|"bitmask"|"csr", "shape", "values", and "bits" or
/// "row_ptr"/"col", and "scales" for int8}. `mask` (bool, or undefined: the nonzeros) says
/// which elements are kept; a masked tensor is never stored dense, so its mask comes back.
c10::IValue encode_sparse_tensor(const at::Tensor& tensor, const at::Tensor& mask,
                                 const SparseEncoding& encoding);

/// The tensor a dict of encode_sparse_tensor stands for (int8 values scaled back to float) and,
/// in `kept`, its kept positions (bool, the tensor's shape).
/// @throws prunelab::Error naming `label` and `name` when the entry is malformed.
at::Tensor decode_sparse_tensor(const c10::IValue& entry, const std::string& label,
                                const std::string& name, at::Tensor* kept = nullptr);

} // namespace prunelab
