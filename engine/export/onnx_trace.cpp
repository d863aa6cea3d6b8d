#include "engine/export/onnx_trace.h"

#include "engine/core/error.h"
#include "engine/interop/script_net.h"

#include <c10/core/GradMode.h>
#include <torch/csrc/jit/frontend/tracer.h>

#include <cctype>

namespace prunelab {
namespace {

using torch::jit::Value;

/// Random inputs of one batch: one tensor per forward argument.
std::vector<at::Tensor> example_inputs(const PrunableNet& net, int64_t batch)
{
    auto generator = at::make_generator<at::CPUGeneratorImpl>(11);
    InputShapes shapes = net.spec().inputs;
    if (shapes.empty())
        shapes = {net.spec().input_shape};
    std::vector<at::Tensor> inputs;
    for (const auto& shape : shapes) {
        std::vector<int64_t> sizes = {batch};
        sizes.insert(sizes.end(), shape.begin(), shape.end());
        inputs.push_back(at::randn(sizes, generator));
    }
    return inputs;
}

std::string identifier(const std::string& text)
{
    std::string out;
    for (char c : text)
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return out.empty() ? "output" : out;
}

/// The tensors a forward returns, in order, with names: a tuple's or list's elements, a dict's
/// values under their keys, nested ones flattened, None skipped (GoogLeNet's aux outputs).
void flatten_outputs(const c10::IValue& value, const std::string& name,
                     std::vector<at::Tensor>& tensors, std::vector<std::string>& names)
{
    if (value.isTensor()) {
        tensors.push_back(value.toTensor());
        names.push_back(name);
    } else if (value.isTuple()) {
        const auto& elements = value.toTupleRef().elements();
        for (size_t i = 0; i < elements.size(); ++i)
            flatten_outputs(elements[i], name + std::to_string(i), tensors, names);
    } else if (value.isList()) {
        const auto list = value.toListRef();
        for (size_t i = 0; i < list.size(); ++i)
            flatten_outputs(list[i], name + std::to_string(i), tensors, names);
    } else if (value.isGenericDict()) {
        size_t i = 0;
        for (const auto& item : value.toGenericDict()) {
            const auto& key = item.key();
            flatten_outputs(item.value(),
                            key.isString() ? identifier(key.toStringRef())
                                           : name + std::to_string(i),
                            tensors, names);
            ++i;
        }
    } else if (!value.isNone()) {
        throw Error("ONNX export: the model returns a " + value.tagKind() +
                    ", not tensors (or tuples, lists and dicts of them)");
    }
}

/// The forward as the tracer runs it: a TorchScript module is called with its own arguments
/// (several inputs stay several), a built-in with its one tensor. Returns the output tensors
/// flattened (the graph's outputs) and their names.
torch::jit::Stack run_forward(PrunableNet& net, const torch::jit::Stack& inputs,
                              std::vector<std::string>& names)
{
    c10::IValue output;
    if (auto* script = dynamic_cast<ScriptNet*>(&net)) {
        torch::jit::Module module = script->script();
        output = module.forward(inputs);
    } else {
        output = net.forward(inputs.at(0).toTensor());
    }
    std::vector<at::Tensor> tensors;
    names.clear();
    flatten_outputs(output, "output", tensors, names);
    if (tensors.size() == 1)
        names = {"output"};
    return torch::jit::Stack(tensors.begin(), tensors.end());
}

std::vector<std::string> argument_names(const PrunableNet& net, size_t count)
{
    std::vector<std::string> names;
    if (const auto* script = dynamic_cast<const ScriptNet*>(&net)) {
        const auto& schema = script->script().get_method("forward").function().getSchema();
        for (size_t i = 1; i < schema.arguments().size(); ++i)
            names.push_back(schema.arguments()[i].name());
    }
    if (names.size() != count) {
        names.clear();
        for (size_t i = 0; i < count; ++i)
            names.push_back(count == 1 ? "input" : "input" + std::to_string(i));
    }
    return names;
}

std::shared_ptr<torch::jit::Graph> trace_at(PrunableNet& net, int64_t batch, TracedModel& names)
{
    torch::jit::Stack inputs;
    for (const auto& input : example_inputs(net, batch))
        inputs.emplace_back(input);
    auto lookup = [&](const at::Tensor& tensor) -> std::string {
        const auto found = names.tensor_names.find(tensor.unsafeGetTensorImpl());
        return found == names.tensor_names.end() ? std::string() : found->second;
    };
    try {
        auto traced = torch::jit::tracer::trace(
            std::move(inputs),
            [&](torch::jit::Stack stack) { return run_forward(net, stack, names.output_names); },
            lookup, /*strict=*/false);
        return traced.first->graph;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("ONNX export: the model's forward could not be traced: " + readable_message(e));
    }
}

} // namespace

TracedModel trace_for_export(const PrunableNet& original)
{
    // A copy: eval mode (batch norm uses running statistics, dropout is off) and weights that
    // need no gradient, so the tracer records them as constants the writer names.
    std::shared_ptr<PrunableNet> net = original.clone();
    net->eval();
    at::NoGradGuard no_grad;
    TracedModel traced;
    for (auto& item : net->named_parameters()) {
        item.value().requires_grad_(false);
        traced.tensor_names.emplace(item.value().unsafeGetTensorImpl(), item.key());
    }
    for (const auto& item : net->named_buffers())
        traced.tensor_names.emplace(item.value().unsafeGetTensorImpl(), item.key());

    traced.graph = trace_at(*net, TracedModel::kBatch, traced);
    traced.twin_graph = trace_at(*net, TracedModel::kOtherBatch, traced);

    // Pair the two graphs value by value; a forward whose operations depend on the batch size
    // cannot become one ONNX graph.
    auto mismatch = [] {
        return Error("ONNX export: the model runs different operations for different batch "
                     "sizes, so no single graph with a dynamic batch describes it");
    };
    const auto& a_inputs = traced.graph->inputs();
    const auto& b_inputs = traced.twin_graph->inputs();
    if (a_inputs.size() != b_inputs.size())
        throw mismatch();
    for (size_t i = 0; i < a_inputs.size(); ++i)
        traced.twin[a_inputs[i]] = b_inputs[i];
    auto a = traced.graph->nodes().begin(), b = traced.twin_graph->nodes().begin();
    for (; a != traced.graph->nodes().end(); ++a, ++b) {
        if (b == traced.twin_graph->nodes().end() || a->kind() != b->kind() ||
            a->outputs().size() != b->outputs().size())
            throw mismatch();
        for (size_t i = 0; i < a->outputs().size(); ++i)
            traced.twin[a->outputs()[i]] = b->outputs()[i];
    }
    if (b != traced.twin_graph->nodes().end())
        throw mismatch();

    traced.input_names = argument_names(*net, a_inputs.size());
    for (Value* output : traced.graph->outputs()) {
        if (output->type()->kind() != c10::TypeKind::TensorType)
            throw Error("ONNX export: the model returns a " + output->type()->str());
        traced.outputs.push_back(output);
    }
    if (traced.outputs.empty())
        throw Error("ONNX export: the model returns no tensor");
    return traced;
}

} // namespace prunelab
