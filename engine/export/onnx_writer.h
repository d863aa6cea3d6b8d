#pragma once

// Writing a traced graph as ONNX: names for values, initializers for weights and constants,
// nodes with attributes, and integers that are the batch size turned into a dynamic shape.
// Engine-internal (jit and ONNX protobuf headers); the operations are in onnx_ops.cpp.

#include "engine/export/onnx_trace.h"

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace prunelab {

/// One entry of an integer list (a shape): its value in the trace, and how much it grows per
/// sample of the batch (0 for a fixed size; 1 for the batch itself; 4 for 4 × batch).
struct ShapeEntry
{
    int64_t value = 0;
    int64_t per_sample = 0;
};

class OnnxWriter
{
public:
    OnnxWriter(const TracedModel& traced, int opset, onnx::GraphProto& graph);

    int opset() const { return m_opset; }

    // ---- reading the traced graph (arguments of an operation) ----
    bool is_none(const torch::jit::Value* value) const;
    /// A fixed integer (an int or bool constant). Fails when it is the batch size.
    int64_t integer(const torch::jit::Value* value) const;
    double number(const torch::jit::Value* value) const;
    std::string text(const torch::jit::Value* value) const;
    /// A fixed list of integers (kernel sizes, dims). Fails when one is the batch size.
    std::vector<int64_t> integers(const torch::jit::Value* value) const;
    /// A list of integers that may contain the batch size (view, reshape, expand, zeros).
    std::vector<ShapeEntry> shape_entries(const torch::jit::Value* value) const;
    /// A tensor's sizes in the trace, and whether dimension `dim` is the batch.
    std::vector<int64_t> sizes(const torch::jit::Value* value) const;
    bool is_batch_dim(const torch::jit::Value* value, int64_t dim) const;
    int64_t rank(const torch::jit::Value* value) const;
    at::ScalarType dtype(const torch::jit::Value* value) const;

    // ---- names ----
    /// A tensor value's ONNX name; a tensor constant becomes an initializer on first use,
    /// named as the model's parameter or buffer when it is one.
    std::string name(const torch::jit::Value* value);
    /// Makes `value` another name for an existing tensor (identity operations).
    void alias(const torch::jit::Value* value, const std::string& name);
    /// A list of tensors (prim::ListConstruct, chunk, split) by element names.
    void set_list(const torch::jit::Value* value, std::vector<std::string> names);
    std::vector<std::string> list(const torch::jit::Value* value);

    // ---- writing ----
    /// A node whose single output is `value`'s tensor.
    onnx::NodeProto& emit(const torch::jit::Value* value, const std::string& op,
                          const std::vector<std::string>& inputs);
    /// A node with one fresh output; returns its name.
    std::string apply(const std::string& op, const std::vector<std::string>& inputs,
                      onnx::NodeProto** node = nullptr);
    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs);
    std::string fresh(const std::string& hint);
    /// An int64 initializer: 1-D, or a scalar.
    std::string int64s(const std::vector<int64_t>& values, bool scalar = false);
    /// A scalar initializer of `type` (a tensor operand's type).
    std::string scalar(double value, at::ScalarType type);
    /// Any tensor as an initializer.
    std::string constant(const at::Tensor& tensor);
    /// A 1-D int64 shape: constant when fixed, else computed from the input's batch size.
    std::string shape(const std::vector<ShapeEntry>& entries);

    [[noreturn]] void fail(const torch::jit::Node* node, const std::string& why) const;

    /// Graph inputs and outputs with a dynamic batch dimension; unused nodes and initializers
    /// dropped. Call after every node is written.
    void finish();

private:
    const torch::jit::Value* twin(const torch::jit::Value* value) const;
    std::string initializer(const at::Tensor& tensor, const std::string& preferred);
    void set_value_info(onnx::ValueInfoProto& info, const torch::jit::Value* value,
                        const std::string& name) const;
    std::string batch_size();

    const TracedModel& m_traced;
    int m_opset;
    onnx::GraphProto& m_graph;
    std::unordered_map<const torch::jit::Value*, std::string> m_names;
    std::unordered_map<const torch::jit::Value*, std::vector<std::string>> m_lists;
    std::unordered_map<const c10::TensorImpl*, std::string> m_initializers;
    std::vector<at::Tensor> m_alive; ///< constants made here: no address reused while cached
    std::set<std::string> m_used;
    std::string m_batch_size;
    int64_t m_counter = 0;
};

void set_attribute(onnx::NodeProto& node, const std::string& name, int64_t value);
void set_attribute(onnx::NodeProto& node, const std::string& name, float value);
void set_attribute(onnx::NodeProto& node, const std::string& name, const std::string& value);
void set_attribute(onnx::NodeProto& node, const std::string& name,
                   const std::vector<int64_t>& values);

/// Writes one traced node as ONNX nodes. @throws prunelab::Error naming an unsupported
/// operation.
void write_onnx_node(OnnxWriter& writer, const torch::jit::Node* node);

} // namespace prunelab
