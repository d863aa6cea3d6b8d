#include "engine/session.h"

#include "engine/allocation.h"
#include "engine/error.h"
#include "engine/model_loader.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <map>

namespace prunelab {

struct Session::Impl
{
    std::string source;
    Checkpoint checkpoint;
    std::map<std::string, at::Tensor> dense; ///< weights before any threshold
    std::unique_ptr<Pruner> pruner;
    std::map<std::string, float> thresholds;
    ModelInfo layout; ///< shapes and dense FLOPs, traced once at open

    void restore_dense()
    {
        at::NoGradGuard no_grad;
        for (auto& item : checkpoint.net->named_parameters())
            item.value().copy_(dense.at(item.key()));
    }

    void apply_thresholds()
    {
        restore_dense();
        if (thresholds.empty())
            return;
        AllocationOptions options;
        for (const auto& [layer, threshold] : thresholds)
            options.layers[layer].threshold = threshold;
        options.keep_at_least_one(false);
        pruner->allocate(options).masks.apply_(*checkpoint.net);
    }
};

Session::Session() : m_impl(std::make_unique<Impl>()) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::open(const std::string& model)
{
    std::unique_ptr<Session> session(new Session());
    session->m_impl->source = model;
    session->m_impl->checkpoint = load_model(model);
    for (const auto& item : session->m_impl->checkpoint.net->named_parameters())
        session->m_impl->dense[item.key()] = item.value().detach().clone();
    session->m_impl->layout = describe_model(*session->m_impl->checkpoint.net);
    return session;
}

const std::string& Session::source() const { return m_impl->source; }

ModelInfo Session::info() const
{
    // Called on every threshold move: only the counts change, so no forward pass here.
    ModelInfo info = m_impl->layout;
    update_weight_counts(info, *m_impl->checkpoint.net);
    return info;
}

std::string Session::data_spec() const
{
    const auto& metadata = m_impl->checkpoint.metadata;
    if (metadata.contains("data") && metadata["data"].is_string())
        return metadata["data"].get<std::string>();
    return "fashion-mnist";
}

std::optional<double> Session::recorded_accuracy() const
{
    const auto& metadata = m_impl->checkpoint.metadata;
    if (metadata.contains("test_accuracy") && metadata["test_accuracy"].is_number())
        return metadata["test_accuracy"].get<double>();
    return std::nullopt;
}

void Session::score(const std::string& criterion, const std::string& granularity)
{
    if (criterion_needs_data(criterion))
        throw Error("criterion '" + criterion + "' needs calibration data; open a data set first");
    auto options = ImportanceOptions().criterion(criterion).granularity(parse_granularity(granularity));
    m_impl->thresholds.clear();
    m_impl->restore_dense();
    m_impl->pruner = std::make_unique<Pruner>(*m_impl->checkpoint.net,
                                              compute_importance(*m_impl->checkpoint.net, nullptr, options));
}

bool Session::is_scored() const { return m_impl->pruner != nullptr; }

bool Session::applies_to(const std::string& layer) const
{
    return m_impl->pruner && m_impl->pruner->applies_to(m_impl->pruner->layer_index(layer));
}

LayerHistogram Session::histogram(const std::string& layer, int bins) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const size_t i = m_impl->pruner->layer_index(layer);
    const auto& sorted = m_impl->pruner->index().sorted(i);
    LayerHistogram out;
    out.layer = layer;
    out.total = sorted.numel();
    const double lo = sorted.numel() ? sorted[0].item<double>() : 0.0;
    double hi = sorted.numel() ? sorted[-1].item<double>() : 1.0;
    if (hi <= lo)
        hi = lo + 1.0;
    bins = std::max(1, bins);
    out.bin_width = (hi - lo) / bins;
    const auto counts = at::histc(m_impl->pruner->index().scores(i), bins, lo, hi);
    for (int b = 0; b < bins; ++b) {
        out.bin_lefts.push_back(lo + b * out.bin_width);
        out.counts.push_back(counts[b].item<double>());
    }
    return out;
}

LayerPruneState Session::prune_state(const std::string& layer) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const size_t i = m_impl->pruner->layer_index(layer);
    LayerPruneState state;
    state.layer = layer;
    state.elements = m_impl->pruner->index().size(i);
    auto it = m_impl->thresholds.find(layer);
    state.threshold = it == m_impl->thresholds.end() ? -INFINITY : it->second;
    state.pruned = it == m_impl->thresholds.end()
                       ? 0
                       : m_impl->pruner->index().count_at_or_below(i, it->second);
    return state;
}

void Session::set_global_rate(double rate)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const auto allocation =
        m_impl->pruner->allocate(AllocationOptions().global_rate(rate).keep_at_least_one(false));
    m_impl->thresholds.clear();
    for (const auto& layer : allocation.layers)
        if (layer.pruned)
            m_impl->thresholds[layer.layer] = layer.threshold;
    m_impl->apply_thresholds();
}

std::map<std::string, float> Session::thresholds() const { return m_impl->thresholds; }

void Session::set_thresholds(const std::map<std::string, float>& thresholds)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    for (const auto& [layer, threshold] : thresholds)
        m_impl->pruner->layer_index(layer);
    m_impl->thresholds = thresholds;
    m_impl->apply_thresholds();
}

LayerPruneState Session::set_threshold(const std::string& layer, float threshold)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    if (!applies_to(layer)) // also validates the name
        throw Error("layer '" + layer + "' is not pruned at this granularity");
    m_impl->thresholds[layer] = threshold;
    m_impl->apply_thresholds();
    return prune_state(layer);
}

} // namespace prunelab
