#include "engine/export/netron_attachment.h"

#include "engine/core/atomic_file.h"
#include "engine/core/version.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace prunelab {
namespace {

class Rows
{
public:
    void metric(const std::string& kind, const std::string& target, const std::string& name,
                const nlohmann::json& value, const std::string& type = "attribute")
    {
        m_metrics.push_back(row(kind, target, name, value, type));
    }
    void metadata(const std::string& kind, const std::string& target, const std::string& name,
                  const nlohmann::json& value)
    {
        m_metadata.push_back(row(kind, target, name, value, "attribute"));
    }
    nlohmann::json json() const
    {
        return {
            {"signature", "netron:attachment"}, {"metadata", m_metadata}, {"metrics", m_metrics}};
    }

private:
    static nlohmann::json row(const std::string& kind, const std::string& target,
                              const std::string& name, const nlohmann::json& value,
                              const std::string& type)
    {
        return {
            {"kind", kind}, {"target", target}, {"name", name}, {"value", value}, {"type", type}};
    }
    nlohmann::json m_metadata = nlohmann::json::array();
    nlohmann::json m_metrics = nlohmann::json::array();
};

/// min / mean / max of a set of scores, under `prefix`.
void score_stats(Rows& rows, const std::string& target, const std::string& prefix,
                 const at::Tensor& scores)
{
    if (scores.numel() == 0)
        return;
    const auto s = scores.to(at::kDouble);
    rows.metric("tensor", target, prefix + ".min", s.min().item<double>(), "float32");
    rows.metric("tensor", target, prefix + ".mean", s.mean().item<double>(), "float32");
    rows.metric("tensor", target, prefix + ".max", s.max().item<double>(), "float32");
}

} // namespace

nlohmann::json netron_attachment(PrunableNet& net, const ImportanceResult* importance,
                                 const ReportContext& context)
{
    at::NoGradGuard no_grad;
    const ModelInfo info = describe_model(net);
    Rows rows;
    rows.metadata("model", "", "producer", "PruneLab " + std::string(kVersion));
    if (!context.data.empty())
        rows.metadata("model", "", "data", context.data);
    for (const auto& [key, value] : context.pruning.items())
        if (value.is_primitive() && !value.is_null())
            rows.metadata("model", "", "pruning." + key, value);
    rows.metric("model", "", "parameters", info.total_params);
    rows.metric("model", "", "nonzero weights", info.nonzero_weights);
    rows.metric("model", "", "sparsity", info.sparsity(), "percentage");
    rows.metric("model", "", "flops", info.flops);
    rows.metric("model", "", "flops after pruning", info.effective_flops);
    if (context.accuracy_before)
        rows.metric("model", "", "accuracy before", *context.accuracy_before, "percentage");
    if (context.accuracy_after)
        rows.metric("model", "", "accuracy", *context.accuracy_after, "percentage");

    const auto layers = prunable_layers(net);
    for (size_t i = 0; i < info.layers.size() && i < layers.size(); ++i) {
        const auto& layer = info.layers[i];
        const std::string tensor = layer.name + ".weight";
        rows.metric("node", layer.name, "parameters", layer.params);
        rows.metric("node", layer.name, "sparsity", layer.sparsity(), "percentage");
        rows.metric("node", layer.name, "flops", layer.flops);
        rows.metric("node", layer.name, "flops after pruning", layer.effective_flops);
        rows.metric("tensor", tensor, "sparsity", layer.sparsity(), "percentage");
        rows.metric("tensor", tensor, "nonzero", layer.nonzero_weights);
        const at::Tensor weight = layers[i].weight.detach();
        const at::Tensor rows_alive = weight.reshape({weight.size(0), -1}).ne(0).any(1);
        const int64_t units = weight.size(0);
        const int64_t units_left = rows_alive.sum().item<int64_t>();
        rows.metric("node", layer.name,
                    layer.kind == "Conv2d" ? "filters pruned" : "neurons pruned",
                    units - units_left);
        const LayerScores* scores = importance ? importance->find(layer.name) : nullptr;
        if (!scores || !scores->scores.defined())
            continue;
        // Which scored elements are still there: weights, or whole rows at unit level.
        const bool unit = scores->scores.numel() == units && weight.numel() != units;
        const at::Tensor kept = unit ? rows_alive : weight.ne(0).reshape(scores->scores.sizes());
        const at::Tensor flat = scores->scores.reshape(-1);
        const at::Tensor flat_kept = kept.reshape(-1);
        rows.metadata("tensor", tensor, "importance",
                      importance->criterion + " (" + to_string(importance->granularity) + ")");
        score_stats(rows, tensor, "importance", flat);
        score_stats(rows, tensor, "importance of kept", flat.masked_select(flat_kept));
        score_stats(rows, tensor, "importance of pruned",
                    flat.masked_select(flat_kept.logical_not()));
    }
    return rows.json();
}

void export_netron_attachment(PrunableNet& net, const ImportanceResult* importance,
                              const ReportContext& context, const std::string& path)
{
    const std::string text = netron_attachment(net, importance, context).dump(1) + "\n";
    write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

} // namespace prunelab
