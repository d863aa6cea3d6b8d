#pragma once

// The graph an ONNX export is written from: the model run once under LibTorch's tracer, so a
// built-in (C++ modules) and a TorchScript model (scripted control flow, calls) both become one
// flat list of ATen operations with their shapes. Engine-internal (jit headers).

#include <torch/csrc/jit/ir/ir.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace prunelab {

class PrunableNet;

/// A model traced twice, at two batch sizes, so the writer can tell which integers in the graph
/// are the batch size (a `view({batch, -1})` in C++ bakes it in as a constant) and make them
/// dynamic instead.
struct TracedModel
{
    static constexpr int64_t kBatch = 2;      ///< the batch of `graph`
    static constexpr int64_t kOtherBatch = 3; ///< the batch of its twin

    std::shared_ptr<torch::jit::Graph> graph;
    std::shared_ptr<torch::jit::Graph> twin_graph;
    /// Every value of `graph` → the same value in `twin_graph` (same node, same position).
    std::unordered_map<const torch::jit::Value*, const torch::jit::Value*> twin;
    /// Parameter and buffer tensors (weights become constants in a trace) → PyTorch names.
    std::unordered_map<const c10::TensorImpl*, std::string> tensor_names;
    std::vector<std::string> input_names;  ///< one per graph input
    std::vector<std::string> output_names; ///< one per tensor the forward returns (flattened)
    /// The graph's outputs flattened to tensors (tuple, list, dict and named-tuple outputs).
    std::vector<torch::jit::Value*> outputs;
};

/// Traces a copy of `net` in eval mode with weights that need no gradient (the net itself is
/// left as it was). @throws prunelab::Error when the forward cannot be traced or its graph
/// changes with the batch size.
TracedModel trace_for_export(const PrunableNet& net);

} // namespace prunelab
