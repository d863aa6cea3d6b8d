#pragma once

// Multi-head self-attention written out in a TorchScript graph, as docs/pytorch_models.py's
// Attention and many hand-written transformers do: q, k and v Linear outputs split into heads
// by view(n, t, -1, d) and transpose(1, 2); softmax(q @ kᵀ [/ or * a number], -1) @ v; then
// transpose(1, 2) and reshape(n, t, -1) join the heads again. Engine-internal (jit headers).

#include <torch/csrc/jit/ir/ir.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace prunelab {

/// One attention: the q, k and v projections it reads and the width of a head.
struct ScriptAttention
{
    torch::jit::Value* q = nullptr;
    torch::jit::Value* k = nullptr;
    torch::jit::Value* v = nullptr;
    int64_t head_width = 0;
};

struct ScriptAttentions
{
    /// By the reshape that joins the heads again: it stands for the whole attention.
    std::map<torch::jit::Node*, ScriptAttention> by_join;
    /// Every other op inside them (each feeds only the next, so no head leaks elsewhere).
    std::set<torch::jit::Node*> steps;
};

/// The attentions among the top-level nodes of an inlined graph, found from each joining
/// reshape back. The head width must be a constant (a `Final` attribute in Python).
ScriptAttentions find_script_attentions(torch::jit::Graph& graph);

/// A constant int, or nothing (jit::constant_as throws for a constant of another type).
std::optional<int64_t> constant_int(torch::jit::Value* value);

} // namespace prunelab
