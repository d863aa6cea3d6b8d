#include "engine/pruning/allocation.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>

#include <cmath>

namespace prunelab {
namespace {

void check_rate(double rate, const std::string& what)
{
    check_fraction(rate, what + " rate");
}

} // namespace

ScoreNormalizer default_normalizer(Granularity granularity)
{
    return granularity == Granularity::Weight ? ScoreNormalizer::None : ScoreNormalizer::Mean;
}

double default_max_layer_rate(Granularity granularity)
{
    return granularity == Granularity::Weight ? 1.0 : 0.9;
}

GlobalRanking global_ranking(const AllocationOptions& options, Granularity granularity)
{
    GlobalRanking ranking;
    ranking.normalizer = options.normalizer().value_or(default_normalizer(granularity));
    ranking.max_layer_rate = options.max_layer_rate().value_or(default_max_layer_rate(granularity));
    return ranking;
}

Pruner::Pruner(PrunableNet& net, ImportanceResult importance)
    : m_importance(std::move(importance)), m_index(m_importance),
      m_dependencies(m_importance.granularity == Granularity::Weight ? DependencyResult{}
                                                                     : analyze_dependencies(net))
{
    if (m_importance.granularity != Granularity::Weight)
        mark_channel_groups(m_importance, m_dependencies); // stored scores carry no groups
    for (const auto& layer : prunable_layers(net)) {
        m_weight_shapes[layer.name] = layer.weight.sizes().vec();
        m_has_bias[layer.name] = layer.bias.defined();
    }
    // Depthwise convolutions and norms are no prunable layers, but their filters and scales go
    // with their channels (at an offset when they span a concatenation).
    const auto parameters = net.named_parameters();
    for (const auto& group : m_dependencies.groups)
        for (const auto& member : group.members)
            if ((member.role == GroupMember::Role::Depthwise ||
                 member.role == GroupMember::Role::Norm) &&
                parameters.contains(member.layer + ".weight")) {
                m_weight_shapes[member.layer] = parameters[member.layer + ".weight"].sizes().vec();
                m_has_bias[member.layer] = parameters.contains(member.layer + ".bias");
            }
    for (const auto& scores : m_importance.layers)
        if (!m_weight_shapes.count(scores.layer))
            throw Error("importance scores name layer '" + scores.layer +
                        "' which the model does not have");
}

size_t Pruner::layer_index(const std::string& layer) const
{
    for (size_t i = 0; i < m_importance.layers.size(); ++i)
        if (m_importance.layers[i].layer == layer)
            return i;
    std::string names;
    for (const auto& l : m_importance.layers)
        names += (names.empty() ? "" : ", ") + l.layer;
    throw Error("no prunable layer named '" + layer + "' (layers: " + names + ")");
}

bool Pruner::applies_to(size_t layer) const
{
    const auto& scores = m_importance.layers[layer];
    switch (granularity()) {
    case Granularity::Weight:
        return true;
    case Granularity::Neuron:
    case Granularity::Head: {
        if (scores.kind != "Linear" || !scores.structurally_prunable ||
            scores.group_leader != scores.layer)
            return false;
        // Heads are the groups whose channels are blocks of rows; neurons are the others.
        const ChannelGroup* group = m_dependencies.group_of(scores.layer);
        const bool heads = group && group->producer_block() > 1;
        return heads == (granularity() == Granularity::Head);
    }
    case Granularity::Filter:
        return scores.kind == "Conv2d" && scores.structurally_prunable &&
               scores.group_leader == scores.layer;
    }
    return false;
}

int64_t Pruner::rounded_count(size_t layer, int64_t count, int64_t round_to) const
{
    if (round_to <= 1 || granularity() == Granularity::Weight)
        return count;
    const int64_t n = m_index.size(layer);
    const int64_t kept = n - count;
    int64_t rounded = int64_t(std::llround(double(kept) / double(round_to))) * round_to;
    rounded = std::clamp<int64_t>(rounded, std::min(round_to, n), n);
    return n - rounded;
}

void Pruner::expand_masks(size_t layer, const at::Tensor& keep, MaskSet& masks) const
{
    const std::string& name = m_importance.layers[layer].layer;
    if (granularity() == Granularity::Weight) {
        masks.intersect(name + ".weight", keep);
        return;
    }
    // A channel goes with everything in its group: the producers' rows and biases, the
    // BatchNorms over it, and the input columns of every layer that reads it.
    const ChannelGroup* group = m_dependencies.group_of(name);
    if (!group)
        throw Error("layer '" + name + "' has no channel group");
    for (const auto& member : group->members) {
        const auto& member_shape = m_weight_shapes.count(member.layer)
                                       ? m_weight_shapes.at(member.layer)
                                       : std::vector<int64_t>{};
        // Rows of a member that spans more channels than the group (a norm or depthwise
        // convolution after a concatenation): the group's at its offset, the others kept.
        auto rows = [&] {
            if (member.offset == 0 && member_shape[0] == keep.size(0))
                return keep;
            auto all = at::ones({member_shape[0]}, keep.options());
            all.slice(0, member.offset, member.offset + keep.size(0)).copy_(keep);
            return all;
        };
        switch (member.role) {
        case GroupMember::Role::Norm:
            if (member_shape.empty())
                break; // no affine parameters: nothing to mask
            [[fallthrough]];
        case GroupMember::Role::Depthwise:
        case GroupMember::Role::Producer: {
            // An attention head's channel is `block` rows of each producer; a recurrent
            // unit's, one row in each gate.
            const auto row_keep = member.block > 1 || member.gates > 1
                                      ? keep.repeat_interleave(member.block).repeat({member.gates})
                                      : rows();
            std::vector<int64_t> row_shape(member_shape.size(), 1);
            row_shape[0] = member_shape[0];
            masks.intersect(member.layer + ".weight",
                            row_keep.view(row_shape).expand(member_shape));
            if (m_has_bias.at(member.layer))
                masks.intersect(member.layer + ".bias", row_keep);
            break;
        }
        case GroupMember::Role::Consumer: {
            // Other channels (a concatenation's other parts) keep their columns.
            auto columns = at::ones({member_shape[1]}, keep.options());
            columns.slice(0, member.offset, member.offset + keep.size(0) * member.block)
                .copy_(keep.repeat_interleave(member.block));
            std::vector<int64_t> column_shape(member_shape.size(), 1);
            column_shape[1] = member_shape[1];
            masks.intersect(member.layer + ".weight",
                            columns.view(column_shape).expand(member_shape));
            break;
        }
        }
    }
}

AllocationResult Pruner::allocate(const AllocationOptions& options) const
{
    if (options.global_rate())
        check_rate(*options.global_rate(), "global");
    if (options.default_rate())
        check_rate(*options.default_rate(), "default");
    if (options.default_threshold() && std::isnan(*options.default_threshold()))
        throw Error("threshold is NaN");
    for (const auto& [layer, setting] : options.layers) {
        layer_index(layer);
        if (setting.rate)
            check_rate(*setting.rate, "layer '" + layer + "'");
        if (setting.threshold && std::isnan(*setting.threshold))
            throw Error("layer '" + layer + "' threshold is NaN");
    }
    if (options.max_layer_rate())
        check_rate(*options.max_layer_rate(), "maximum per-layer");
    for (const auto& layer : options.excluded())
        layer_index(layer);
    for (const auto& layer : options.locked())
        layer_index(layer);

    const size_t n_layers = m_importance.layers.size();
    AllocationResult result;
    std::vector<int64_t> counts(n_layers, 0);
    std::vector<bool> active(n_layers, false);
    std::vector<at::Tensor> row_keeps(n_layers); // per-row rates and N:M patterns
    const bool weights = granularity() == Granularity::Weight;
    if (!weights && (options.pattern() || options.per_row()))
        throw Error("an N:M pattern or per-row rates apply to single weights, not to " +
                    to_string(granularity()) + "s");
    auto per_row = [&](size_t i, double rate) {
        const at::Tensor& scores = m_importance.layers[i].scores;
        const int64_t row = scores.numel() / std::max<int64_t>(1, scores.size(0));
        if (options.keep_at_least_one() && row > 0)
            rate = std::min(rate, double(row - 1) / double(row));
        row_keeps[i] = keep_per_row(scores, rate);
    };
    std::vector<size_t> global_layers;
    for (size_t i = 0; i < n_layers; ++i) {
        const std::string& name = m_importance.layers[i].layer;
        if (!applies_to(i) || options.excluded().count(name))
            continue;
        auto own = options.layers.find(name);
        if (weights && options.pattern()) {
            row_keeps[i] = keep_n_of_m(m_importance.layers[i].scores, *options.pattern());
            if (!row_keeps[i].defined()) {
                result.warnings.push_back(
                    "layer '" + name + "' has " +
                    std::to_string(m_importance.layers[i].scores.size(1)) +
                    " inputs, not a multiple of " + std::to_string(options.pattern()->m) +
                    ": left dense by the " + to_string(*options.pattern()) + " pattern");
                continue;
            }
        } else if (own != options.layers.end() && own->second.count) {
            counts[i] = std::clamp<int64_t>(*own->second.count, 0, m_index.size(i));
        } else if (own != options.layers.end() && own->second.rate) {
            if (weights && options.per_row())
                per_row(i, *own->second.rate);
            else
                counts[i] = m_index.count_for_rate(i, *own->second.rate);
        } else if (own != options.layers.end() && own->second.threshold) {
            counts[i] = m_index.count_at_or_below(i, *own->second.threshold);
        } else if (options.global_rate() && weights && options.per_row()) {
            per_row(i, *options.global_rate());
        } else if (options.global_rate() && !options.locked().count(name)) {
            global_layers.push_back(i);
        } else if (options.default_rate()) {
            if (weights && options.per_row())
                per_row(i, *options.default_rate());
            else
                counts[i] = m_index.count_for_rate(i, *options.default_rate());
        } else if (options.default_threshold()) {
            counts[i] = m_index.count_at_or_below(i, *options.default_threshold());
        } else {
            continue;
        }
        active[i] = true;
    }

    if (!global_layers.empty()) {
        const auto global = m_index.global_counts(global_layers, *options.global_rate(),
                                                  global_ranking(options, granularity()));
        for (size_t k = 0; k < global_layers.size(); ++k)
            counts[global_layers[k]] = global[k];
    }

    bool any = false;
    for (size_t i = 0; i < n_layers; ++i) {
        const auto& scores = m_importance.layers[i];
        LayerAllocation entry;
        entry.layer = scores.layer;
        entry.kind = scores.kind;
        entry.elements = m_index.size(i);
        if (active[i] && row_keeps[i].defined()) {
            // Decided row by row: the count follows from the mask; the threshold shown is the
            // highest score pruned anywhere in the layer.
            any = true;
            const at::Tensor& keep = row_keeps[i];
            const int64_t count = keep.numel() - keep.sum().item<int64_t>();
            entry.pruned = true;
            entry.pruned_elements = count;
            entry.rate = entry.elements ? double(count) / double(entry.elements) : 0.0;
            entry.threshold =
                count ? scores.scores.masked_select(keep.logical_not()).max().item<float>() : 0.0f;
            entry.keep = keep;
            expand_masks(i, keep, result.masks);
            result.elements += entry.elements;
            result.pruned_elements += count;
        } else if (active[i]) {
            any = true;
            int64_t count = rounded_count(i, counts[i], options.round_to());
            if (options.keep_at_least_one() && count >= entry.elements && entry.elements > 0) {
                count = entry.elements - 1;
                result.warnings.push_back(
                    "layer '" + scores.layer + "' would lose every " +
                    (granularity() == Granularity::Weight ? "weight" : "unit") +
                    "; kept its most important one");
            }
            entry.pruned = true;
            entry.pruned_elements = count;
            entry.rate = entry.elements ? double(count) / double(entry.elements) : 0.0;
            entry.threshold = m_index.threshold_for_count(i, count);
            entry.keep = m_index.mask_pruning(i, count);
            expand_masks(i, entry.keep, result.masks);
            result.elements += entry.elements;
            result.pruned_elements += count;
        }
        result.layers.push_back(entry);
    }
    if (!any)
        throw Error("nothing to prune: no layer is both selected and prunable at " +
                    to_string(granularity()) +
                    " granularity (prunelab-cli info MODEL --groups shows which channel groups "
                    "are fixed and why)");
    return result;
}

} // namespace prunelab
