#include "engine/interop/exports.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/version.h"

#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/serialize.h>

namespace prunelab {
namespace {

void write_tensor_dict(const std::map<std::string, at::Tensor>& tensors, const std::string& path)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, tensor] : tensors)
        dict.insert(name, tensor.detach().contiguous());
    write_file_atomically(path, torch::pickle_save(c10::IValue(dict)));
}

nlohmann::json optional_number(const std::optional<double>& value)
{
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

} // namespace

void export_state_dict(const PrunableNet& net, const std::string& path)
{
    write_tensor_dict(state_dict(net), path);
}

void export_masks(const std::map<std::string, at::Tensor>& masks, const std::string& path)
{
    std::map<std::string, at::Tensor> bools;
    for (const auto& [name, mask] : masks)
        bools[name] = mask.to(at::kBool);
    write_tensor_dict(bools, path);
}

nlohmann::json pruning_report(const ModelInfo& info, const ReportContext& context)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : info.layers)
        layers.push_back({{"name", layer.name},
                          {"kind", layer.kind},
                          {"shape", layer.weight_shape},
                          {"params", layer.params},
                          {"weights", layer.weight_count},
                          {"nonzero", layer.nonzero_weights},
                          {"sparsity", layer.sparsity()},
                          {"flops_before", layer.flops},
                          {"flops_after", layer.effective_flops}});
    nlohmann::json report = {
        {"format", "prunelab-report"},
        {"format_version", 1},
        {"prunelab_version", kVersion},
        {"model", info.spec.name},
        {"input_shape", info.spec.input_shape},
        {"data", context.data.empty() ? nlohmann::json(nullptr) : nlohmann::json(context.data)},
        {"accuracy_before", optional_number(context.accuracy_before)},
        {"accuracy_after", optional_number(context.accuracy_after)},
        {"pruning", context.pruning},
        {"params", info.total_params},
        {"prunable_weights", info.prunable_weights},
        {"nonzero_weights", info.nonzero_weights},
        {"sparsity", info.sparsity()},
        {"flops_before", info.flops},
        {"flops_after", info.effective_flops},
        {"layers", layers}};
    if (!context.storage.is_null())
        report["storage"] = context.storage;
    return report;
}

void export_report(const ModelInfo& info, const ReportContext& context, const std::string& path)
{
    const std::string text = pruning_report(info, context).dump(2) + "\n";
    write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

} // namespace prunelab
