#include "engine/models/models.h"

#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/models/model_state.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <unordered_map>

namespace prunelab {
namespace F = torch::nn::functional;
namespace nn = torch::nn;

namespace {
thread_local LayerTrace* t_active_trace = nullptr;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

at::Tensor max_pool(const at::Tensor& x, int64_t kernel, int64_t stride, int64_t padding = 0)
{
    return F::max_pool2d(x, F::MaxPool2dFuncOptions(kernel).stride(stride).padding(padding));
}

void require_input(const ModelSpec& spec, int64_t channels, bool any_size, int64_t height = 0,
                   int64_t width = 0)
{
    if (spec.input_shape.size() != 3)
        throw Error("model '" + spec.name + "' needs a [C, H, W] input shape");
    if (channels > 0 && spec.input_shape[0] != channels)
        throw Error("model '" + spec.name + "' takes " + std::to_string(channels) +
                    "-channel input, not " + std::to_string(spec.input_shape[0]));
    if (!any_size && (spec.input_shape[1] != height || spec.input_shape[2] != width))
        throw Error("model '" + spec.name + "' takes " + std::to_string(height) + "×" +
                    std::to_string(width) + " input, not " + format_shape(spec.input_shape));
    if (spec.num_classes < 2)
        throw Error("model '" + spec.name + "' needs at least 2 classes");
}
} // namespace

void LayerTrace::record(const nn::Module* module, const at::Tensor& input, const at::Tensor& output)
{
    auto sample_shape = [](const at::Tensor& t) {
        auto sizes = t.sizes().vec();
        sizes.erase(sizes.begin());
        return sizes;
    };
    Entry entry{module, sample_shape(input), sample_shape(output), {}, {}};
    if (m_keep_inputs)
        entry.input = input.detach();
    if (m_keep_outputs) {
        entry.output = output;
        if (output.requires_grad())
            entry.output.retain_grad();
    }
    m_entries.push_back(std::move(entry));
}

std::unordered_map<const nn::Module*, std::vector<const LayerTrace::Entry*>>
LayerTrace::calls() const
{
    std::unordered_map<const nn::Module*, std::vector<const Entry*>> out;
    for (const auto& entry : m_entries)
        out[entry.module].push_back(&entry);
    return out;
}

LayerTraceScope::LayerTraceScope(LayerTrace* trace) : m_previous(t_active_trace)
{
    t_active_trace = trace;
}

LayerTraceScope::~LayerTraceScope()
{
    t_active_trace = m_previous;
}

bool layer_trace_active()
{
    return t_active_trace != nullptr;
}

at::Tensor traced(const nn::Module& module, const at::Tensor& input, at::Tensor output)
{
    if (t_active_trace)
        t_active_trace->record(&module, input, output);
    return output;
}

// ---- ConvNet -----------------------------------------------------------------------------

ConvNet::ConvNet(ModelSpec spec, int64_t conv1, int64_t conv2, int64_t hidden)
    : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    require_input(s, 0, true);
    const int64_t h = ((s.input_shape[1] - 4) / 2 - 4) / 2;
    const int64_t w = ((s.input_shape[2] - 4) / 2 - 4) / 2;
    if (h < 1 || w < 1)
        throw Error("model '" + s.name + "' needs input of at least 12×12, not " +
                    format_shape(s.input_shape));
    conv1 = s.width("conv1", conv1);
    conv2 = s.width("conv2", conv2);
    hidden = s.width("fc1", hidden);
    m_conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(s.input_shape[0], conv1, 5)));
    m_conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(conv1, conv2, 5)));
    m_fc1 = register_module("fc1", nn::Linear(conv2 * h * w, hidden));
    m_fc2 = register_module("fc2", nn::Linear(hidden, s.num_classes));
}

ChannelGraph ConvNet::channel_graph() const
{
    ChannelGraph g; // pools and ReLUs keep channels (and zeros) where they are
    int x = g.layer("conv2", g.layer("conv1", g.input()));
    g.output(g.layer("fc2", g.layer("fc1", g.flatten(x))));
    return g;
}

at::Tensor ConvNet::forward(at::Tensor x)
{
    x = traced(*m_conv1, x, m_conv1->forward(x));
    x = F::relu(max_pool(x, 2, 2));
    x = traced(*m_conv2, x, m_conv2->forward(x));
    x = F::relu(max_pool(x, 2, 2)).flatten(1);
    x = F::relu(traced(*m_fc1, x, m_fc1->forward(x)));
    return traced(*m_fc2, x, m_fc2->forward(x));
}

// ---- LeNet-300-100 -----------------------------------------------------------------------

LeNet300::LeNet300(ModelSpec spec) : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    require_input(s, 0, true);
    const int64_t features = s.input_shape[0] * s.input_shape[1] * s.input_shape[2];
    const int64_t fc1 = s.width("fc1", 300), fc2 = s.width("fc2", 100);
    m_fc1 = register_module("fc1", nn::Linear(features, fc1));
    m_fc2 = register_module("fc2", nn::Linear(fc1, fc2));
    m_fc3 = register_module("fc3", nn::Linear(fc2, s.num_classes));
}

ChannelGraph LeNet300::channel_graph() const
{
    ChannelGraph g;
    g.output(g.layer("fc3", g.layer("fc2", g.layer("fc1", g.flatten(g.input())))));
    return g;
}

at::Tensor LeNet300::forward(at::Tensor x)
{
    x = x.flatten(1);
    x = F::relu(traced(*m_fc1, x, m_fc1->forward(x)));
    x = F::relu(traced(*m_fc2, x, m_fc2->forward(x)));
    return traced(*m_fc3, x, m_fc3->forward(x));
}

// ---- LeNet-5 -----------------------------------------------------------------------------

LeNet5::LeNet5(ModelSpec spec) : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    require_input(s, 0, true);
    const int64_t h = (s.input_shape[1] / 2 - 4) / 2;
    const int64_t w = (s.input_shape[2] / 2 - 4) / 2;
    if (h < 1 || w < 1)
        throw Error("model 'lenet5' needs input of at least 12×12, not " +
                    format_shape(s.input_shape));
    const int64_t conv1 = s.width("conv1", 6), conv2 = s.width("conv2", 16);
    const int64_t fc1 = s.width("fc1", 120), fc2 = s.width("fc2", 84);
    m_conv1 = register_module("conv1",
                              nn::Conv2d(nn::Conv2dOptions(s.input_shape[0], conv1, 5).padding(2)));
    m_conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(conv1, conv2, 5)));
    m_fc1 = register_module("fc1", nn::Linear(conv2 * h * w, fc1));
    m_fc2 = register_module("fc2", nn::Linear(fc1, fc2));
    m_fc3 = register_module("fc3", nn::Linear(fc2, s.num_classes));
}

ChannelGraph LeNet5::channel_graph() const
{
    ChannelGraph g;
    const int x = g.flatten(g.layer("conv2", g.layer("conv1", g.input())));
    g.output(g.layer("fc3", g.layer("fc2", g.layer("fc1", x))));
    return g;
}

at::Tensor LeNet5::forward(at::Tensor x)
{
    x = F::relu(traced(*m_conv1, x, m_conv1->forward(x)));
    x = max_pool(x, 2, 2);
    x = F::relu(traced(*m_conv2, x, m_conv2->forward(x)));
    x = max_pool(x, 2, 2).flatten(1);
    x = F::relu(traced(*m_fc1, x, m_fc1->forward(x)));
    x = F::relu(traced(*m_fc2, x, m_fc2->forward(x)));
    return traced(*m_fc3, x, m_fc3->forward(x));
}

// ---- VGG (small) -------------------------------------------------------------------------

VggSmall::VggSmall(ModelSpec spec) : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    require_input(s, 0, true);
    constexpr int64_t kPool = -1;
    const std::vector<int64_t> plan = {64, kPool, 128, kPool, 256, 256, kPool, 512, kPool};
    m_features = register_module("features", nn::Sequential());
    int64_t channels = s.input_shape[0];
    for (int64_t entry : plan) {
        if (entry == kPool) {
            m_stages.back().pool_after = true;
            m_features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
            continue;
        }
        Stage stage;
        const std::string conv_name = "features." + std::to_string(m_features->size());
        entry = s.width(conv_name, entry);
        stage.conv = nn::Conv2d(nn::Conv2dOptions(channels, entry, 3).padding(1));
        stage.bn = nn::BatchNorm2d(entry);
        m_conv_names.push_back(conv_name);
        m_features->push_back(stage.conv);
        m_bn_names.push_back("features." + std::to_string(m_features->size()));
        m_features->push_back(stage.bn);
        m_features->push_back(nn::ReLU());
        m_stages.push_back(stage);
        channels = entry;
    }
    m_classifier = register_module("classifier", nn::Linear(channels, s.num_classes));
}

ChannelGraph VggSmall::channel_graph() const
{
    ChannelGraph g;
    int x = g.input();
    for (size_t i = 0; i < m_conv_names.size(); ++i)
        x = g.norm(m_bn_names[i], g.layer(m_conv_names[i], x));
    g.output(g.layer("classifier", g.global_pool(x)));
    return g;
}

at::Tensor VggSmall::forward(at::Tensor x)
{
    for (auto& stage : m_stages) {
        x = traced(*stage.conv, x, stage.conv->forward(x));
        x = F::relu(traced(*stage.bn, x, stage.bn->forward(x)));
        if (stage.pool_after)
            x = max_pool(x, 2, 2);
    }
    x = x.mean({2, 3});
    return traced(*m_classifier, x, m_classifier->forward(x));
}

// ---- ResNet ------------------------------------------------------------------------------

BasicBlock::BasicBlock(int64_t in_channels, int64_t inner, int64_t out_channels, int64_t stride)
{
    m_conv1 = register_module("conv1", conv3x3(in_channels, inner, stride));
    m_bn1 = register_module("bn1", nn::BatchNorm2d(inner));
    m_conv2 = register_module("conv2", conv3x3(inner, out_channels, 1));
    m_bn2 = register_module("bn2", nn::BatchNorm2d(out_channels));
    if (stride != 1 || in_channels != out_channels) {
        m_down_conv =
            nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false));
        m_down_bn = nn::BatchNorm2d(out_channels);
        register_module("downsample", nn::Sequential(m_down_conv, m_down_bn));
    }
}

at::Tensor BasicBlock::forward(const at::Tensor& x)
{
    auto out = traced(*m_conv1, x, m_conv1->forward(x));
    out = F::relu(traced(*m_bn1, out, m_bn1->forward(out)));
    out = traced(*m_conv2, out, m_conv2->forward(out));
    out = traced(*m_bn2, out, m_bn2->forward(out));
    at::Tensor shortcut = x;
    if (m_down_conv) {
        shortcut = traced(*m_down_conv, x, m_down_conv->forward(x));
        shortcut = traced(*m_down_bn, shortcut, m_down_bn->forward(shortcut));
    }
    return F::relu(out + shortcut);
}

ResNet::ResNet(ModelSpec spec, bool cifar_layout, std::vector<int64_t> blocks_per_stage)
    : PrunableNet(std::move(spec)), m_cifar_layout(cifar_layout)
{
    const auto& s = this->spec();
    require_input(s, 0, true);
    const int64_t standard_stem = cifar_layout ? 16 : 64;
    const int64_t stem = s.width("conv1", standard_stem);
    if (cifar_layout)
        m_conv1 = register_module("conv1", conv3x3(s.input_shape[0], stem, 1));
    else
        m_conv1 = register_module(
            "conv1",
            nn::Conv2d(
                nn::Conv2dOptions(s.input_shape[0], stem, 7).stride(2).padding(3).bias(false)));
    m_bn1 = register_module("bn1", nn::BatchNorm2d(stem));

    int64_t channels = stem;
    for (size_t stage = 0; stage < blocks_per_stage.size(); ++stage) {
        // A stage's blocks add onto one stream: the stem's (first stage) or the first block's
        // shortcut conv's channels, which a compacted model may have narrowed.
        const std::string name = "layer" + std::to_string(stage + 1);
        const int64_t width =
            stage == 0 ? stem : s.width(name + ".0.downsample.0", standard_stem << stage);
        auto sequential = nn::Sequential();
        std::vector<std::shared_ptr<BasicBlock>> blocks;
        for (int64_t b = 0; b < blocks_per_stage[stage]; ++b) {
            const int64_t stride = (b == 0 && stage > 0) ? 2 : 1;
            const int64_t inner =
                s.width(name + "." + std::to_string(b) + ".conv1", standard_stem << stage);
            auto block = std::make_shared<BasicBlock>(channels, inner, width, stride);
            sequential->push_back(block);
            blocks.push_back(block);
            channels = width;
        }
        m_stages.push_back(register_module(name, std::move(sequential)));
        m_blocks.push_back(std::move(blocks));
    }
    m_fc = register_module("fc", nn::Linear(channels, s.num_classes));
}

ChannelGraph ResNet::channel_graph() const
{
    ChannelGraph g;
    int x = g.norm("bn1", g.layer("conv1", g.input()));
    for (size_t stage = 0; stage < m_blocks.size(); ++stage) {
        for (size_t b = 0; b < m_blocks[stage].size(); ++b) {
            const std::string prefix =
                "layer" + std::to_string(stage + 1) + "." + std::to_string(b) + ".";
            int out = g.norm(prefix + "bn1", g.layer(prefix + "conv1", x));
            out = g.norm(prefix + "bn2", g.layer(prefix + "conv2", out));
            int shortcut = x;
            if (m_blocks[stage][b]->has_downsample())
                shortcut = g.norm(prefix + "downsample.1", g.layer(prefix + "downsample.0", x));
            x = g.add(out, shortcut);
        }
    }
    g.output(g.layer("fc", g.global_pool(x)));
    return g;
}

at::Tensor ResNet::forward(at::Tensor x)
{
    x = traced(*m_conv1, x, m_conv1->forward(x));
    x = F::relu(traced(*m_bn1, x, m_bn1->forward(x)));
    if (!m_cifar_layout)
        x = max_pool(x, 3, 2, 1);
    for (auto& stage : m_blocks)
        for (auto& block : stage)
            x = block->forward(x);
    x = x.mean({2, 3});
    return traced(*m_fc, x, m_fc->forward(x));
}

// --- Any PrunableNet ---------------------------------------------------------------------------

std::shared_ptr<PrunableNet> PrunableNet::clone() const
{
    auto copy = create_model(spec());
    copy_state(const_cast<PrunableNet&>(*this), *copy);
    copy->train(is_training());
    return copy;
}

std::vector<PrunableLayer> prunable_layers(PrunableNet& net)
{
    std::vector<PrunableLayer> layers;
    for (const auto& item : net.named_modules("", false)) {
        const auto& module = *item.value();
        if (const auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(&module))
            layers.push_back({item.key(), "Conv2d", conv->weight, conv->bias, &module});
        else if (const auto* linear = dynamic_cast<const torch::nn::LinearImpl*>(&module))
            layers.push_back({item.key(), "Linear", linear->weight, linear->bias, &module});
    }
    return layers;
}

ModelInfo describe_model(PrunableNet& net)
{
    ModelInfo info;
    info.spec = net.spec();
    LayerTrace trace;
    {
        const bool was_training = net.is_training();
        at::NoGradGuard no_grad;
        net.eval();
        std::vector<int64_t> input = {1};
        input.insert(input.end(), info.spec.input_shape.begin(), info.spec.input_shape.end());
        LayerTraceScope scope(&trace);
        net.forward(at::zeros(input));
        net.train(was_training);
    }
    const auto calls = trace.calls();

    for (const auto& layer : prunable_layers(net)) {
        LayerInfo entry;
        entry.name = layer.name;
        entry.kind = layer.kind;
        entry.weight_shape = layer.weight.sizes().vec();
        entry.weight_count = layer.weight.numel();
        entry.params = entry.weight_count + (layer.bias.defined() ? layer.bias.numel() : 0);
        auto found = calls.find(layer.module);
        if (found != calls.end()) {
            entry.output_shape = found->second.front()->output_shape;
            // Each output position reuses every weight once (a conv slides its kernel over
            // H×W; a linear layer runs once per token of a [tokens, features] input), so
            // MACs = weights × positions.
            const auto& shape = entry.output_shape;
            int64_t positions = 1;
            if (entry.kind == "Conv2d" && shape.size() == 3)
                positions = shape[1] * shape[2];
            else if (entry.kind == "Linear")
                for (size_t d = 0; d + 1 < shape.size(); ++d)
                    positions *= shape[d];
            entry.flops = entry.weight_count * positions * int64_t(found->second.size());
        }
        info.layers.push_back(std::move(entry));
    }
    for (const auto& p : net.parameters())
        info.total_params += p.numel();
    update_weight_counts(info, net);
    return info;
}

namespace {

/// Nonzero elements of a weight. A plain loop over contiguous float32 (what every built-in layer
/// holds) vectorizes and runs several times faster than ATen 1.13's count_nonzero, which is
/// most of a global-rate change on ResNet-18 otherwise.
int64_t count_nonzero_weights(const at::Tensor& weight)
{
    if (weight.scalar_type() != at::kFloat || !weight.is_contiguous())
        return weight.count_nonzero().item<int64_t>();
    const float* p = weight.data_ptr<float>();
    const int64_t n = weight.numel();
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i)
        count += p[i] != 0.0f;
    return count;
}

} // namespace

void update_weight_counts(ModelInfo& info, PrunableNet& net)
{
    std::unordered_map<std::string, at::Tensor> weights;
    for (const auto& layer : prunable_layers(net))
        weights.emplace(layer.name, layer.weight);
    info.prunable_weights = info.nonzero_weights = info.flops = info.effective_flops = 0;
    for (auto& layer : info.layers) {
        layer.nonzero_weights = count_nonzero_weights(weights.at(layer.name));
        // Zero weights are skipped in the effective count, at the same positions per weight.
        layer.effective_flops =
            layer.weight_count ? layer.flops / layer.weight_count * layer.nonzero_weights : 0;
        info.prunable_weights += layer.weight_count;
        info.nonzero_weights += layer.nonzero_weights;
        info.flops += layer.flops;
        info.effective_flops += layer.effective_flops;
    }
}

} // namespace prunelab
