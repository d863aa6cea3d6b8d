#include "engine/interop/script_net.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/zip_integrity.h"
#include "engine/interop/input_shape.h"
#include "engine/interop/script_graph.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace prunelab {
namespace {

/// "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d" → "Conv2d"
std::string class_name(const torch::jit::Module& module)
{
    const auto type = module.type()->name();
    if (!type)
        return {};
    const std::string name = type->qualifiedName();
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

/// Stand-ins whose parameters are the TorchScript module's own tensors. Built with the
/// module's shapes, then their freshly made parameters are swapped for the real ones.
class ScriptConv : public torch::nn::Conv2dImpl
{
public:
    ScriptConv(const at::Tensor& weight, const c10::optional<at::Tensor>& bias)
        : torch::nn::Conv2dImpl(torch::nn::Conv2dOptions(weight.size(1), weight.size(0),
                                                         {weight.size(2), weight.size(3)})
                                    .bias(bias.has_value()))
    {
        this->weight = parameters_["weight"] = weight;
        if (bias)
            this->bias = parameters_["bias"] = *bias;
    }
};

class ScriptLinear : public torch::nn::LinearImpl
{
public:
    ScriptLinear(const at::Tensor& weight, const c10::optional<at::Tensor>& bias)
        : torch::nn::LinearImpl(
              torch::nn::LinearOptions(weight.size(1), weight.size(0)).bias(bias.has_value()))
    {
        this->weight = parameters_["weight"] = weight;
        if (bias)
            this->bias = parameters_["bias"] = *bias;
    }
};

c10::optional<at::Tensor> tensor_attr(const torch::jit::Module& module, const char* name)
{
    if (!module.hasattr(name))
        return c10::nullopt;
    const auto value = module.attr(name);
    if (!value.isTensor())
        return c10::nullopt;
    return value.toTensor();
}

ModelSpec script_spec(const InputShapes& inputs)
{
    ModelSpec spec;
    spec.name = "torchscript";
    spec.input_shape = packed_input_shape(inputs);
    spec.num_classes = 0; // until the first forward shows logits
    if (inputs.size() > 1)
        spec.inputs = inputs;
    return spec;
}

/// The tensors of a forward's result in order: nested tuples, lists and dict values
/// flattened, None skipped. @throws prunelab::Error naming any other kind of value.
void collect_tensors(const c10::IValue& value, std::vector<at::Tensor>& out)
{
    if (value.isTensor())
        out.push_back(value.toTensor());
    else if (value.isNone())
        return; // torchvision's GoogLeNet returns (logits, None, None) in eval mode
    else if (value.isTuple())
        for (const auto& element : value.toTupleRef().elements())
            collect_tensors(element, out);
    else if (value.isList())
        for (const c10::IValue element : value.toListRef())
            collect_tensors(element, out);
    else if (value.isGenericDict())
        for (const auto& entry : value.toGenericDict())
            collect_tensors(entry.value(), out);
    else
        throw Error("the model's forward returns a " + value.tagKind() +
                    ", not tensors (a tensor, or a tuple, list or dict of tensors)");
}

std::vector<at::Tensor> output_tensors(const c10::IValue& value)
{
    std::vector<at::Tensor> out;
    collect_tensors(value, out);
    if (out.empty())
        throw Error("the model's forward returns no tensor");
    return out;
}

} // namespace

ScriptNet::ScriptNet(torch::jit::Module module, const InputShapes& inputs, const std::string& label)
    : PrunableNet(script_spec(inputs)), m_module(std::move(module))
{
    if (inputs.empty())
        throw Error(label + ": no input shape given");
    mirror();
    read_channel_graph();
    if (prunable_layers(*this).empty())
        throw Error(label + ": the TorchScript model has no Conv2d or Linear layer to prune");
    // Whether forward takes that many inputs, before any tensor goes in (self comes first;
    // arguments with defaults may be left out).
    const auto& schema = m_module.get_method("forward").function().getSchema().arguments();
    const size_t most = schema.size() - 1;
    const size_t least = size_t(std::count_if(schema.begin() + 1, schema.end(), [](const auto& a) {
        return !a.default_value().has_value();
    }));
    if (inputs.size() < least || inputs.size() > most)
        throw Error(label + ": the model's forward takes " +
                    (least == most ? std::to_string(most)
                                   : std::to_string(least) + " to " + std::to_string(most)) +
                    " input(s), but " + std::to_string(inputs.size()) + " shape(s) were given (" +
                    format_input_shapes(inputs) + "); give one shape per input, separated by ';'");
    // The class count and a check that the forward takes the data's shape.
    std::vector<int64_t> shape = {2};
    shape.insert(shape.end(), spec().input_shape.begin(), spec().input_shape.end());
    c10::IValue result;
    const bool training = m_module.is_training();
    try {
        at::NoGradGuard no_grad;
        m_module.eval();
        result = m_module.forward(this->arguments(at::zeros(shape)));
        m_module.train(training);
    } catch (const std::exception& e) {
        m_module.train(training);
        throw Error(label + ": the model's forward rejects input of shape " +
                    format_input_shapes(inputs) + " (" + readable_message(e) + ")");
    }
    std::vector<at::Tensor> outputs;
    try {
        outputs = output_tensors(result);
    } catch (const Error& e) {
        throw Error(label + ": " + e.what());
    }
    // Logits first makes a classifier (GoogLeNet's aux outputs are None in eval mode); a
    // feature map, an embedding of one value or a dict of outputs is measured by fidelity.
    const at::Tensor& first = outputs.front();
    const bool logits = first.dim() == 2 && first.size(0) == 2 && first.size(1) >= 2;
    const_cast<ModelSpec&>(spec()).num_classes = logits ? first.size(1) : 0;
}

void ScriptNet::mirror()
{
    // One stand-in per TorchScript submodule, registered under the same path.
    std::map<std::string, std::shared_ptr<torch::nn::Module>> by_path;
    std::vector<std::string> prunable;
    for (const auto& item : m_module.named_modules()) {
        const std::string& path = item.name;
        if (path.empty())
            continue;
        const auto dot = path.rfind('.');
        const std::string parent_path = dot == std::string::npos ? "" : path.substr(0, dot);
        const std::string leaf = dot == std::string::npos ? path : path.substr(dot + 1);
        torch::nn::Module& parent =
            parent_path.empty() ? static_cast<torch::nn::Module&>(*this) : *by_path.at(parent_path);
        const std::string kind = class_name(item.value);
        std::shared_ptr<torch::nn::Module> standin;
        const auto weight = tensor_attr(item.value, "weight");
        const auto bias = tensor_attr(item.value, "bias");
        if (kind == "Conv2d" && weight && weight->dim() == 4 &&
            (!item.value.hasattr("groups") || item.value.attr("groups").toInt() == 1))
            standin = std::make_shared<ScriptConv>(*weight, bias);
        else if (kind == "Linear" && weight && weight->dim() == 2)
            standin = std::make_shared<ScriptLinear>(*weight, bias);
        else
            standin = std::make_shared<torch::nn::Module>();
        if (!dynamic_cast<ScriptConv*>(standin.get()) &&
            !dynamic_cast<ScriptLinear*>(standin.get())) {
            for (const auto& p : item.value.named_parameters(false))
                standin->register_parameter(p.name, p.value, p.value.requires_grad());
            for (const auto& b : item.value.named_buffers(false))
                standin->register_buffer(b.name, b.value);
        }
        parent.register_module(leaf, standin);
        by_path[path] = standin;
    }
    for (const auto& p : m_module.named_parameters(false))
        register_parameter(p.name, p.value, p.value.requires_grad());
    for (const auto& b : m_module.named_buffers(false))
        register_buffer(b.name, b.value);
}

void ScriptNet::read_channel_graph()
{
    // Which layer feeds which, from the forward graph: dependency analysis follows it, and a
    // graph PruneLab cannot read leaves every layer unprunable at channel level (weights still
    // prune).
    std::set<std::string> layers;
    for (const auto& layer : prunable_layers(*this))
        layers.insert(layer.name);
    try {
        m_channels = script_channel_graph(*inlined_forward(m_module), layers);
    } catch (const std::exception& e) {
        m_channels = ChannelGraph();
        m_channels.output(
            m_channels.opaque("the forward graph (" + readable_message(e).substr(0, 120) + ")",
                              {m_channels.input()}));
    }
}

ScriptNet::ScriptNet(torch::jit::Module module, ModelSpec spec, ChannelGraph channels)
    : PrunableNet(std::move(spec)), m_module(std::move(module)), m_channels(std::move(channels))
{}

std::shared_ptr<PrunableNet> ScriptNet::clone() const
{
    // Cloned without autograd, so the copies are leaves an optimizer can own, then marked
    // trainable like the originals.
    torch::jit::Module cloned;
    {
        at::NoGradGuard no_grad;
        cloned = m_module.clone();
    }
    const auto originals = m_module.named_parameters();
    auto copies = cloned.named_parameters();
    auto original = originals.begin();
    for (auto copy_it = copies.begin(); copy_it != copies.end(); ++copy_it, ++original)
        (*copy_it).value.requires_grad_((*original).value.requires_grad());
    std::shared_ptr<ScriptNet> copy(new ScriptNet(std::move(cloned), spec(), m_channels));
    copy->mirror();
    return copy;
}

at::Tensor ScriptNet::forward(at::Tensor x)
{
    return forward_all(std::move(x)).front();
}

std::vector<at::Tensor> ScriptNet::forward_all(at::Tensor x)
{
    if (layer_trace_active()) {
        if (!m_instrumented && !m_instrument_failed)
            instrument();
        if (m_instrumented) {
            try {
                return traced_forward(x);
            } catch (const std::exception&) {
                // The instrumented copy would not run: report no layer shapes from now on, and
                // let the plain forward say what is wrong with the input, if anything.
                m_instrument_failed = true;
                m_instrumented.reset();
            }
        }
    }
    return output_tensors(m_module.forward(arguments(x)));
}

std::vector<c10::IValue> ScriptNet::arguments(const at::Tensor& x) const
{
    const InputShapes& inputs = spec().inputs;
    if (inputs.empty())
        return {x};
    // Packed samples [N, Σ sizes]: each input's slice, shaped back to [N, its shape].
    std::vector<c10::IValue> out;
    int64_t offset = 0;
    for (const auto& shape : inputs) {
        int64_t size = 1;
        for (int64_t s : shape)
            size *= s;
        std::vector<int64_t> sizes = {x.size(0)};
        sizes.insert(sizes.end(), shape.begin(), shape.end());
        out.emplace_back(x.narrow(1, offset, size).reshape(sizes));
        offset += size;
    }
    return out;
}

void ScriptNet::instrument()
{
    // A copy of forward with every submodule call inlined, returning (output, (in0, out0, in1,
    // out1, ...)) for the Conv2d/Linear calls at the top level of the graph.
    try {
        auto graph = inlined_forward(m_module);
        torch::jit::Value* self = graph->inputs()[0];
        std::map<std::string, const torch::nn::Module*> standins;
        for (const auto& layer : prunable_layers(*this))
            standins[layer.name] = layer.module;
        std::vector<torch::jit::Value*> probes;
        for (torch::jit::Node* node : graph->nodes()) {
            const auto kind = node->kind();
            if (kind != c10::aten::conv2d && kind != c10::aten::_convolution &&
                kind != c10::aten::linear)
                continue;
            const std::string weight = attribute_path(node->input(1), self);
            const auto dot = weight.rfind('.');
            if (dot == std::string::npos || weight.substr(dot) != ".weight")
                continue;
            const auto standin = standins.find(weight.substr(0, dot));
            if (standin == standins.end())
                continue;
            probes.push_back(node->input(0));
            probes.push_back(node->output());
            m_probes.push_back({standin->first, standin->second});
        }
        torch::jit::Value* output = graph->outputs()[0];
        torch::jit::Value* inner = graph->insertNode(graph->createTuple(probes))->output();
        torch::jit::Value* outer = graph->insertNode(graph->createTuple({output, inner}))->output();
        graph->eraseOutput(0);
        graph->registerOutput(outer); // a function returns one value: (output, probes)
        m_instrumented =
            std::make_shared<torch::jit::GraphFunction>("prunelab_probe", graph, nullptr);
    } catch (const std::exception&) {
        // Shapes, FLOPs and activation scores stay unknown; the model still runs.
        m_instrument_failed = true;
        m_instrumented.reset();
        m_probes.clear();
    }
}

std::vector<at::Tensor> ScriptNet::traced_forward(const at::Tensor& x)
{
    // Unoptimized, the executor records autograd op by op: the layer outputs the graph returns
    // are the very tensors the rest of the forward used, so their gradients are the layers' own
    // (optimized, they may sit inside a fused differentiable subgraph that hides them).
    torch::jit::GraphOptimizerEnabledGuard plain(false);
    std::vector<c10::IValue> stack = {m_module._ivalue()};
    for (auto& argument : arguments(x))
        stack.push_back(std::move(argument));
    const auto result = (*m_instrumented)(std::move(stack)).toTuple();
    const auto& elements = result->elements();
    const auto& probes = elements.at(1).toTupleRef().elements();
    for (size_t i = 0; i < m_probes.size() && 2 * i + 1 < probes.size(); ++i)
        traced(*m_probes[i].standin, probes[2 * i].toTensor(), probes[2 * i + 1].toTensor());
    return output_tensors(elements.at(0));
}

void ScriptNet::train(bool on)
{
    PrunableNet::train(on);
    m_module.train(on);
}

void ScriptNet::save(const std::string& path) const
{
    write_file_atomically(path, [&](const std::string& temporary) {
        try {
            m_module.save(temporary,
                          {{kInputShapeExtraFile, input_shape_json(model_inputs(spec()))}});
        } catch (const c10::Error& e) {
            throw Error(path + ": cannot be written (" +
                        std::string(e.what_without_backtrace()).substr(0, 160) + ")");
        }
    });
}

bool is_torchscript_file(const std::string& path)
{
    // A TorchScript archive is a zip with the module's constants; a torch.save pickle or a
    // PruneLab checkpoint has none. The reader looks at the zip's directory only, not the
    // weights, so asking costs no more than opening the file.
    if (!std::filesystem::is_regular_file(path))
        return false;
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        return reader.hasRecord("constants.pkl");
    } catch (const std::exception&) {
        return false; // not a zip archive at all
    }
}

std::shared_ptr<ScriptNet> load_script_net(const std::string& path, InputShapes inputs,
                                           const std::vector<int64_t>& fallback_shape)
{
    check_regular_file(path);
    if (!is_torchscript_file(path))
        throw Error(
            path +
            ": not a TorchScript model (save one with torch.jit.script(model).save(path) "
            "or torch.jit.trace(model, example).save(path); a torch.save pickle cannot be run "
            "from C++)");
    verify_zip_file(
        path,
        "TorchScript model"); // LibTorch's reader checks no CRC: a flipped byte loaded silently
    torch::jit::Module module;
    torch::jit::ExtraFilesMap extra{{kInputShapeExtraFile, ""}};
    try {
        module = torch::jit::load(path, c10::nullopt, extra);
    } catch (const c10::Error& e) {
        std::string message = e.what_without_backtrace();
        throw Error(path + ": not a readable TorchScript model (corrupt or truncated: " +
                    message.substr(0, message.find('\n')).substr(0, 160) + ")");
    } catch (const std::exception& e) {
        // The TorchScript compiler's own ErrorReport (fuzz_torchscript: a damaged type name in
        // the code records) is no c10::Error; its first line that says something is enough.
        std::string message = readable_message(e);
        const auto start = message.find_first_not_of(" \n");
        message =
            start == std::string::npos ? std::string("unreadable code") : message.substr(start);
        throw Error(path + ": not a readable TorchScript model (corrupt or truncated: " +
                    message.substr(0, message.find('\n')).substr(0, 160) + ")");
    }
    if (inputs.empty())
        inputs = input_shapes_from_json(extra[kInputShapeExtraFile]);
    if (inputs.empty() && !fallback_shape.empty())
        inputs = {fallback_shape};
    if (inputs.empty())
        throw UnknownInputShape(unknown_input_shape_message(path));
    return std::make_shared<ScriptNet>(std::move(module), inputs, path);
}

} // namespace prunelab
