#include "engine/model_info.h"

#include "engine/models.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <unordered_map>

namespace prunelab {

double LayerInfo::sparsity() const
{
    return weight_count == 0 ? 0.0 : 1.0 - double(nonzero_weights) / double(weight_count);
}

double ModelInfo::sparsity() const
{
    return prunable_weights == 0 ? 0.0 : 1.0 - double(nonzero_weights) / double(prunable_weights);
}

std::string format_shape(const std::vector<int64_t>& shape)
{
    std::string out;
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? "×" : "") + std::to_string(shape[i]);
    return out;
}

namespace {

LayerInfo describe_layer(const std::string& name, const torch::nn::Module& module,
                         const LayerTrace::Entry* entry)
{
    LayerInfo info;
    info.name = name;
    at::Tensor weight;
    at::Tensor bias;
    if (const auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(&module)) {
        info.kind = "Conv2d";
        weight = conv->weight;
        bias = conv->bias;
    } else if (const auto* linear = dynamic_cast<const torch::nn::LinearImpl*>(&module)) {
        info.kind = "Linear";
        weight = linear->weight;
        bias = linear->bias;
    }
    info.weight_shape = weight.sizes().vec();
    info.weight_count = weight.numel();
    info.nonzero_weights = weight.count_nonzero().item<int64_t>();
    info.params = info.weight_count + (bias.defined() ? bias.numel() : 0);
    if (entry) {
        info.output_shape = entry->output_shape;
        // Each output position reuses every weight once (a conv slides its kernel; a linear
        // layer has one position), so MACs = weights × positions; zeros are skipped in the
        // effective count.
        const int64_t positions = info.kind == "Conv2d" && entry->output_shape.size() == 3
                                      ? entry->output_shape[1] * entry->output_shape[2]
                                      : 1;
        info.flops = info.weight_count * positions;
        info.effective_flops = info.nonzero_weights * positions;
    }
    return info;
}

} // namespace

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
    std::unordered_map<const torch::nn::Module*, const LayerTrace::Entry*> by_module;
    for (const auto& entry : trace.entries())
        by_module.emplace(entry.module, &entry);

    for (const auto& item : net.named_modules("", false)) {
        const auto& module = *item.value();
        const bool prunable = dynamic_cast<const torch::nn::Conv2dImpl*>(&module) ||
                              dynamic_cast<const torch::nn::LinearImpl*>(&module);
        if (!prunable)
            continue;
        auto found = by_module.find(&module);
        info.layers.push_back(
            describe_layer(item.key(), module, found == by_module.end() ? nullptr : found->second));
    }
    for (const auto& p : net.parameters())
        info.total_params += p.numel();
    for (const auto& layer : info.layers) {
        info.prunable_weights += layer.weight_count;
        info.nonzero_weights += layer.nonzero_weights;
        info.flops += layer.flops;
        info.effective_flops += layer.effective_flops;
    }
    return info;
}

} // namespace prunelab
