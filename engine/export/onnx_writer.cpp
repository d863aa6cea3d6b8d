#include "engine/export/onnx_writer.h"

#include "engine/core/error.h"

#include <algorithm>
#include <sstream>

namespace prunelab {
namespace {

using torch::jit::Value;

int onnx_type(at::ScalarType type)
{
    switch (type) {
    case at::kFloat:
        return onnx::TensorProto::FLOAT;
    case at::kDouble:
        return onnx::TensorProto::DOUBLE;
    case at::kHalf:
        return onnx::TensorProto::FLOAT16;
    case at::kLong:
        return onnx::TensorProto::INT64;
    case at::kInt:
        return onnx::TensorProto::INT32;
    case at::kBool:
        return onnx::TensorProto::BOOL;
    case at::kByte:
        return onnx::TensorProto::UINT8;
    case at::kChar:
        return onnx::TensorProto::INT8;
    default:
        throw Error(std::string("ONNX export: tensors of type ") + c10::toString(type) +
                    " are not supported");
    }
}

std::string describe(const torch::jit::Node* node)
{
    std::ostringstream text;
    text << node->kind().toQualString();
    if (!node->outputs().empty()) {
        if (auto type = node->output(0)->type()->cast<c10::TensorType>()) {
            if (auto sizes = type->sizes().concrete_sizes()) {
                text << " (output ";
                for (size_t i = 0; i < sizes->size(); ++i)
                    text << (i ? "×" : "") << (*sizes)[i];
                text << ")";
            }
        }
    }
    return text.str();
}

} // namespace

void set_attribute(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, float value)
{
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::FLOAT);
    attribute->set_f(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, const std::string& value)
{
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::STRING);
    attribute->set_s(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name,
                   const std::vector<int64_t>& values)
{
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
        attribute->add_ints(v);
}

OnnxWriter::OnnxWriter(const TracedModel& traced, int opset, onnx::GraphProto& graph)
    : m_traced(traced), m_opset(opset), m_graph(graph)
{
    const auto& inputs = traced.graph->inputs();
    for (size_t i = 0; i < inputs.size(); ++i) {
        const std::string name = fresh(traced.input_names.at(i));
        m_names[inputs[i]] = name;
        set_value_info(*m_graph.add_input(), inputs[i], name);
    }
    for (const auto& name : traced.output_names)
        m_used.insert(name); // reserved for finish()
}

const Value* OnnxWriter::twin(const Value* value) const
{
    const auto found = m_traced.twin.find(value);
    return found == m_traced.twin.end() ? nullptr : found->second;
}

bool OnnxWriter::is_none(const Value* value) const
{
    return value->type()->kind() == c10::TypeKind::NoneType;
}

int64_t OnnxWriter::integer(const Value* value) const
{
    const auto here = torch::jit::toIValue(value);
    if (!here || !(here->isInt() || here->isBool()))
        fail(value->node(), "an integer argument is computed, not constant");
    const auto there = torch::jit::toIValue(twin(value));
    const int64_t v = here->isInt() ? here->toInt() : int64_t(here->toBool());
    if (!there || (there->isInt() && there->toInt() != v))
        fail(value->node(), "an integer argument depends on the batch size");
    return v;
}

double OnnxWriter::number(const Value* value) const
{
    const auto here = torch::jit::toIValue(value);
    if (!here || !(here->isDouble() || here->isInt() || here->isBool()))
        fail(value->node(), "a number argument is computed, not constant");
    return here->isDouble() ? here->toDouble()
                            : double(here->isInt() ? here->toInt() : here->toBool());
}

std::string OnnxWriter::text(const Value* value) const
{
    const auto here = torch::jit::toIValue(value);
    if (!here || !here->isString())
        fail(value->node(), "a string argument is not constant");
    return here->toStringRef();
}

std::vector<ShapeEntry> OnnxWriter::shape_entries(const Value* value) const
{
    std::vector<int64_t> here, there;
    const torch::jit::Node* node = value->node();
    if (node->kind() == c10::prim::ListConstruct) {
        for (size_t i = 0; i < node->inputs().size(); ++i) {
            const auto a = torch::jit::toIValue(node->input(i));
            const auto b = torch::jit::toIValue(twin(node->input(i)));
            if (!a || !b || !a->isInt() || !b->isInt())
                fail(node, "a list of sizes is computed, not constant");
            here.push_back(a->toInt());
            there.push_back(b->toInt());
        }
    } else {
        const auto a = torch::jit::toIValue(value);
        const auto b = torch::jit::toIValue(twin(value));
        if (!a || !b || !a->isIntList() || !b->isIntList())
            fail(node, "a list of sizes is computed, not constant");
        here = a->toIntVector();
        there = b->toIntVector();
    }
    std::vector<ShapeEntry> entries;
    for (size_t i = 0; i < here.size(); ++i) {
        ShapeEntry entry{here[i], 0};
        if (there[i] != here[i]) {
            // Traced at batch 2 and 3: k·batch reads 2k, then 3k.
            const int64_t k = there[i] - here[i];
            if (here[i] != TracedModel::kBatch * k)
                fail(node, "a size changes with the batch size but is not a multiple of it");
            entry.per_sample = k;
        }
        entries.push_back(entry);
    }
    return entries;
}

std::vector<int64_t> OnnxWriter::integers(const Value* value) const
{
    std::vector<int64_t> values;
    for (const auto& entry : shape_entries(value)) {
        if (entry.per_sample != 0)
            fail(value->node(), "an integer argument depends on the batch size");
        values.push_back(entry.value);
    }
    return values;
}

std::vector<int64_t> OnnxWriter::sizes(const Value* value) const
{
    const auto type = value->type()->cast<c10::TensorType>();
    const auto sizes = type ? type->sizes().concrete_sizes() : c10::nullopt;
    if (!sizes)
        fail(value->node(), "a tensor's shape is unknown in the trace");
    return *sizes;
}

bool OnnxWriter::is_batch_dim(const Value* value, int64_t dim) const
{
    const auto here = sizes(value);
    const auto there = sizes(twin(value));
    if (dim < 0)
        dim += int64_t(here.size());
    return here.at(size_t(dim)) != there.at(size_t(dim));
}

int64_t OnnxWriter::rank(const Value* value) const
{
    return int64_t(sizes(value).size());
}

at::ScalarType OnnxWriter::dtype(const Value* value) const
{
    const auto type = value->type()->cast<c10::TensorType>();
    if (!type || !type->scalarType())
        fail(value->node(), "a tensor's type is unknown in the trace");
    return *type->scalarType();
}

std::string OnnxWriter::fresh(const std::string& hint)
{
    std::string name = hint.empty() ? "t" : hint;
    while (m_used.count(name))
        name = hint + "_" + std::to_string(++m_counter);
    m_used.insert(name);
    return name;
}

std::string OnnxWriter::initializer(const at::Tensor& tensor, const std::string& preferred)
{
    const auto found = m_initializers.find(tensor.unsafeGetTensorImpl());
    if (found != m_initializers.end())
        return found->second;
    const std::string name = fresh(preferred);
    auto* proto = m_graph.add_initializer();
    proto->set_name(name);
    proto->set_data_type(onnx_type(tensor.scalar_type()));
    for (int64_t d : tensor.sizes())
        proto->add_dims(d);
    const at::Tensor data = tensor.contiguous();
    proto->set_raw_data(std::string(static_cast<const char*>(data.data_ptr()),
                                    size_t(data.numel()) * data.element_size()));
    m_initializers.emplace(tensor.unsafeGetTensorImpl(), name);
    m_alive.push_back(tensor);
    return name;
}

std::string OnnxWriter::name(const Value* value)
{
    const auto found = m_names.find(value);
    if (found != m_names.end())
        return found->second;
    const torch::jit::Node* node = value->node();
    if (node->kind() == c10::prim::Constant && value->type()->kind() == c10::TypeKind::TensorType) {
        const at::Tensor tensor = node->t(c10::attr::value);
        const auto param = m_traced.tensor_names.find(tensor.unsafeGetTensorImpl());
        if (param == m_traced.tensor_names.end() && !twin(value))
            fail(node, "a constant has no counterpart at another batch size");
        if (param == m_traced.tensor_names.end()) {
            const at::Tensor other = twin(value)->node()->t(c10::attr::value);
            if (other.sizes() != tensor.sizes())
                fail(node, "a tensor made inside forward has the batch size in its shape");
        }
        const std::string name =
            initializer(tensor, param == m_traced.tensor_names.end() ? "const" : param->second);
        m_names[value] = name;
        return name;
    }
    if (node->kind() == c10::prim::Constant) {
        // A number used where ONNX wants a tensor (add(x, 2.0) reaches here as a scalar).
        const auto constant = torch::jit::toIValue(value);
        if (constant && (constant->isDouble() || constant->isInt()))
            return scalar(constant->isDouble() ? constant->toDouble() : double(constant->toInt()),
                          constant->isDouble() ? at::kFloat : at::kLong);
    }
    fail(node, "its result " + value->debugName() + " was never written (an unsupported use)");
}

void OnnxWriter::alias(const Value* value, const std::string& name)
{
    m_names[value] = name;
}

void OnnxWriter::set_list(const Value* value, std::vector<std::string> names)
{
    m_lists[value] = std::move(names);
}

std::vector<std::string> OnnxWriter::list(const Value* value)
{
    const auto found = m_lists.find(value);
    if (found != m_lists.end())
        return found->second;
    const torch::jit::Node* node = value->node();
    if (node->kind() != c10::prim::ListConstruct)
        fail(node, "a list of tensors is computed in a way ONNX export does not follow");
    std::vector<std::string> names;
    for (const Value* input : node->inputs())
        names.push_back(name(input));
    return names;
}

onnx::NodeProto& OnnxWriter::node(const std::string& op, const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs)
{
    auto* node = m_graph.add_node();
    node->set_op_type(op);
    node->set_name(op + "_" + std::to_string(m_graph.node_size()));
    for (const auto& input : inputs)
        node->add_input(input);
    for (const auto& output : outputs)
        node->add_output(output);
    return *node;
}

onnx::NodeProto& OnnxWriter::emit(const Value* value, const std::string& op,
                                  const std::vector<std::string>& inputs)
{
    const std::string name = fresh(value->debugName());
    m_names[value] = name;
    return node(op, inputs, {name});
}

std::string OnnxWriter::apply(const std::string& op, const std::vector<std::string>& inputs,
                              onnx::NodeProto** created)
{
    const std::string name = fresh(op);
    auto& made = node(op, inputs, {name});
    if (created)
        *created = &made;
    return name;
}

std::string OnnxWriter::int64s(const std::vector<int64_t>& values, bool is_scalar)
{
    at::Tensor tensor = at::tensor(values, at::kLong);
    if (is_scalar)
        tensor = tensor.reshape({});
    return initializer(tensor, "const");
}

std::string OnnxWriter::scalar(double value, at::ScalarType type)
{
    return initializer(at::scalar_tensor(value, at::TensorOptions().dtype(type)), "const");
}

std::string OnnxWriter::constant(const at::Tensor& tensor)
{
    return initializer(tensor, "const");
}

std::string OnnxWriter::batch_size()
{
    if (m_batch_size.empty()) {
        const std::string shape = apply("Shape", {m_names.at(m_traced.graph->inputs().at(0))});
        onnx::NodeProto* gather = nullptr;
        m_batch_size = apply("Gather", {shape, int64s({0})}, &gather);
        set_attribute(*gather, "axis", int64_t(0));
    }
    return m_batch_size;
}

std::string OnnxWriter::shape(const std::vector<ShapeEntry>& entries)
{
    const bool dynamic = std::any_of(entries.begin(), entries.end(),
                                     [](const ShapeEntry& e) { return e.per_sample != 0; });
    if (!dynamic) {
        std::vector<int64_t> values;
        for (const auto& e : entries)
            values.push_back(e.value);
        return int64s(values);
    }
    std::vector<std::string> pieces;
    std::vector<int64_t> fixed;
    for (const auto& e : entries) {
        if (e.per_sample == 0) {
            fixed.push_back(e.value);
            continue;
        }
        if (!fixed.empty())
            pieces.push_back(int64s(fixed));
        fixed.clear();
        pieces.push_back(e.per_sample == 1 ? batch_size()
                                           : apply("Mul", {batch_size(), int64s({e.per_sample})}));
    }
    if (!fixed.empty())
        pieces.push_back(int64s(fixed));
    if (pieces.size() == 1)
        return pieces[0];
    onnx::NodeProto* concat = nullptr;
    const std::string out = apply("Concat", pieces, &concat);
    set_attribute(*concat, "axis", int64_t(0));
    return out;
}

void OnnxWriter::fail(const torch::jit::Node* node, const std::string& why) const
{
    throw Error("ONNX export: cannot export " + describe(node) + ": " + why);
}

void OnnxWriter::set_value_info(onnx::ValueInfoProto& info, const Value* value,
                                const std::string& name) const
{
    info.set_name(name);
    auto* tensor = info.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx_type(dtype(value)));
    auto* shape = tensor->mutable_shape();
    const auto here = sizes(value);
    for (size_t d = 0; d < here.size(); ++d) {
        auto* dim = shape->add_dim();
        if (is_batch_dim(value, int64_t(d)))
            dim->set_dim_param("batch");
        else
            dim->set_dim_value(here[d]);
    }
}

void OnnxWriter::finish()
{
    std::set<std::string> graph_inputs;
    for (const auto& input : m_graph.input())
        graph_inputs.insert(input.name());
    for (size_t i = 0; i < m_traced.outputs.size(); ++i) {
        const Value* value = m_traced.outputs[i];
        const std::string& wanted = m_traced.output_names[i];
        node("Identity", {name(value)}, {wanted});
        set_value_info(*m_graph.add_output(), value, wanted);
    }

    // Keep only what the outputs need: operations the trace recorded but nothing uses (the
    // transposed weight an addmm folded into a Gemm, shape arithmetic) are dropped.
    std::set<std::string> needed;
    for (const auto& output : m_graph.output())
        needed.insert(output.name());
    std::vector<onnx::NodeProto> kept;
    for (int i = m_graph.node_size() - 1; i >= 0; --i) {
        const auto& node = m_graph.node(i);
        const bool used = std::any_of(node.output().begin(), node.output().end(),
                                      [&](const std::string& o) { return needed.count(o) > 0; });
        if (!used)
            continue;
        for (const auto& input : node.input())
            if (!input.empty())
                needed.insert(input);
        kept.push_back(node);
    }
    m_graph.clear_node();
    for (auto it = kept.rbegin(); it != kept.rend(); ++it)
        *m_graph.add_node() = *it;
    std::vector<onnx::TensorProto> initializers;
    for (const auto& initializer : m_graph.initializer())
        if (needed.count(initializer.name()))
            initializers.push_back(initializer);
    m_graph.clear_initializer();
    for (auto& initializer : initializers)
        *m_graph.add_initializer() = std::move(initializer);
}

} // namespace prunelab
