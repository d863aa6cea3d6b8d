#include "engine/pruning/score_index.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace prunelab {
namespace {

// Maps floats to unsigned integers in the same order, so bisection can walk exact floats.
uint32_t ordered_bits(float value)
{
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

float from_ordered_bits(uint32_t key)
{
    const uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

/// The scores in ascending order, NaN last (as at::sort): an LSD radix sort of their ordered
/// bits, linear in the count — a transformer's 86M weight scores sort in a fraction of the
/// seconds a comparison sort takes, which the window waits for when it opens a model.
at::Tensor sorted_scores(const at::Tensor& scores)
{
    const int64_t n = scores.numel();
    const float* values = scores.data_ptr<float>();
    std::vector<uint32_t> keys(static_cast<size_t>(n));
    std::vector<uint32_t> scratch(keys.size());
    for (int64_t i = 0; i < n; ++i)
        keys[size_t(i)] = std::isnan(values[i]) ? 0xffffffffu : ordered_bits(values[i]);
    for (int shift = 0; shift < 32; shift += 8) {
        std::vector<size_t> starts(257, 0);
        for (uint32_t key : keys)
            ++starts[((key >> shift) & 0xffu) + 1];
        if (std::find(starts.begin(), starts.end(), size_t(n)) != starts.end())
            continue; // every key has the same byte here: the order stands
        for (size_t b = 1; b < starts.size(); ++b)
            starts[b] += starts[b - 1];
        for (uint32_t key : keys)
            scratch[starts[(key >> shift) & 0xffu]++] = key;
        keys.swap(scratch);
    }
    at::Tensor sorted = at::empty({n}, at::kFloat);
    float* out = sorted.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        out[i] = from_ordered_bits(keys[size_t(i)]); // 0xffffffff decodes to a NaN
    return sorted;
}

/// A threshold θ on normalised scores, as one on layer scores divided by `scale`.
float scaled(float threshold, double scale)
{
    return scale == 1.0 ? threshold : float(double(threshold) * scale);
}

} // namespace

ScoreNormalizer parse_score_normalizer(const std::string& name)
{
    if (name == "none")
        return ScoreNormalizer::None;
    if (name == "l2")
        return ScoreNormalizer::L2;
    if (name == "max")
        return ScoreNormalizer::Max;
    if (name == "mean")
        return ScoreNormalizer::Mean;
    throw Error("unknown score normalizer '" + name + "' (choose none, l2, max or mean)");
}

std::string to_string(ScoreNormalizer normalizer)
{
    switch (normalizer) {
    case ScoreNormalizer::None:
        return "none";
    case ScoreNormalizer::L2:
        return "l2";
    case ScoreNormalizer::Max:
        return "max";
    case ScoreNormalizer::Mean:
        return "mean";
    }
    return "none";
}

ScoreIndex::ScoreIndex(const ImportanceResult& importance)
{
    for (const auto& layer : importance.layers) {
        Layer entry;
        entry.shape = layer.scores.sizes().vec();
        entry.scores = layer.scores.to(at::kFloat).contiguous().view({-1});
        entry.sorted = sorted_scores(entry.scores);
        if (entry.scores.numel() > 0) {
            const auto scores = entry.scores.to(at::kDouble);
            entry.sum = scores.sum().item<double>();
            entry.sum_of_squares = scores.square().sum().item<double>();
            entry.max = scores.max().item<double>();
        }
        m_layers.push_back(std::move(entry));
    }
}

int64_t ScoreIndex::size(size_t layer) const
{
    return m_layers[layer].scores.numel();
}

int64_t ScoreIndex::count_at_or_below(size_t layer, float threshold) const
{
    const auto& sorted = m_layers[layer].sorted;
    const float* begin = sorted.data_ptr<float>();
    const float* end = begin + sorted.numel();
    return std::upper_bound(begin, end, threshold) - begin;
}

double ScoreIndex::rate_for_threshold(size_t layer, float threshold) const
{
    const int64_t n = size(layer);
    return n == 0 ? 0.0 : double(count_at_or_below(layer, threshold)) / double(n);
}

int64_t ScoreIndex::count_for_rate(size_t layer, double rate) const
{
    check_fraction(rate, "pruning rate");
    return int64_t(std::nearbyint(rate * double(size(layer))));
}

float ScoreIndex::threshold_for_count(size_t layer, int64_t count) const
{
    if (count <= 0)
        return -std::numeric_limits<float>::infinity();
    count = std::min(count, size(layer));
    return m_layers[layer].sorted.data_ptr<float>()[count - 1];
}

float ScoreIndex::global_threshold(const std::vector<size_t>& layers, int64_t count) const
{
    std::vector<int64_t> sizes;
    for (size_t i : layers)
        sizes.push_back(size(i));
    return global_threshold(layers, count, std::vector<double>(layers.size(), 1.0), sizes);
}

float ScoreIndex::global_threshold(const std::vector<size_t>& layers, int64_t count,
                                   const std::vector<double>& scales,
                                   const std::vector<int64_t>& caps) const
{
    constexpr float infinity = std::numeric_limits<float>::infinity();
    if (count <= 0 || layers.empty())
        return -infinity;
    auto total_at = [&](float value) {
        int64_t total = 0;
        for (size_t k = 0; k < layers.size(); ++k)
            total += std::min(caps[k], count_at_or_below(layers[k], scaled(value, scales[k])));
        return total;
    };
    if (total_at(infinity) < count)
        return infinity; // more than the caps allow: everything they allow
    // Smallest key whose value has >= count elements at or below it: 32 halvings of the
    // float range, each a binary search per layer.
    uint32_t lo = ordered_bits(-infinity);
    uint32_t hi = ordered_bits(infinity);
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (total_at(from_ordered_bits(mid)) >= count)
            hi = mid;
        else
            lo = mid + 1;
    }
    return from_ordered_bits(lo);
}

double ScoreIndex::normalizer_scale(size_t layer, ScoreNormalizer normalizer) const
{
    const Layer& entry = m_layers[layer];
    const double n = double(entry.scores.numel());
    double value = 1.0;
    switch (normalizer) {
    case ScoreNormalizer::None:
        return 1.0;
    case ScoreNormalizer::L2:
        value = std::sqrt(entry.sum_of_squares);
        break;
    case ScoreNormalizer::Max:
        value = entry.max;
        break;
    case ScoreNormalizer::Mean:
        value = n > 0 ? entry.sum / n : 0.0;
        break;
    }
    return std::isfinite(value) && value > 0.0 ? value : 1.0;
}

at::Tensor ScoreIndex::mask_for_threshold(size_t layer, float threshold) const
{
    const auto& entry = m_layers[layer];
    return entry.scores.gt(threshold).view(entry.shape);
}

at::Tensor ScoreIndex::mask_pruning(size_t layer, int64_t count) const
{
    const auto& entry = m_layers[layer];
    count = std::clamp<int64_t>(count, 0, size(layer));
    if (count == 0)
        return at::ones(entry.shape, at::kBool);
    const float threshold = threshold_for_count(layer, count);
    auto keep = entry.scores.gt(threshold);
    const int64_t below = count_at_or_below(layer, threshold);
    if (below > count) {
        // Ties at the threshold: prune only as many of them (lowest indices first) as the
        // count needs, and keep the rest.
        const int64_t strictly_below =
            count_at_or_below(layer, std::nextafter(threshold, -INFINITY));
        auto tied = entry.scores.eq(threshold).nonzero().view({-1});
        keep.index_fill_(0, tied.slice(0, count - strictly_below), true);
    }
    return keep.view(entry.shape);
}

std::vector<int64_t> ScoreIndex::global_counts(const std::vector<size_t>& layers, double rate,
                                               const GlobalRanking& ranking) const
{
    check_fraction(rate, "global rate");
    check_fraction(ranking.max_layer_rate, "maximum rate per layer");
    const double cap_rate = std::max(rate, ranking.max_layer_rate);
    int64_t total = 0;
    std::vector<double> scales;
    std::vector<int64_t> caps;
    for (size_t i : layers) {
        total += size(i);
        scales.push_back(normalizer_scale(i, ranking.normalizer));
        caps.push_back(cap_rate >= 1.0 ? size(i) : int64_t(std::floor(cap_rate * double(size(i)))));
    }
    int64_t remaining = int64_t(std::nearbyint(rate * double(total)));
    const float threshold = global_threshold(layers, remaining, scales, caps);
    const float below = std::nextafter(threshold, -std::numeric_limits<float>::infinity());
    auto capped_count = [&](size_t k, float value) {
        return std::min(caps[k], count_at_or_below(layers[k], scaled(value, scales[k])));
    };
    std::vector<int64_t> counts(layers.size(), 0);
    for (size_t k = 0; k < layers.size(); ++k) {
        counts[k] = capped_count(k, below);
        remaining -= counts[k];
    }
    for (size_t k = 0; k < layers.size(); ++k) {
        const int64_t tied = capped_count(k, threshold) - counts[k];
        const int64_t take = std::clamp<int64_t>(remaining, 0, tied);
        counts[k] += take;
        remaining -= take;
    }
    return counts;
}

} // namespace prunelab
