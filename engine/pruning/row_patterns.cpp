#include "engine/pruning/row_patterns.h"

#include "engine/core/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace prunelab {
namespace {

/// [out, in, k...] → [out, k..., in]: input weights consecutive in the last dimension.
at::Tensor inputs_last(const at::Tensor& t)
{
    if (t.dim() <= 2)
        return t;
    std::vector<int64_t> order = {0};
    for (int64_t d = 2; d < t.dim(); ++d)
        order.push_back(d);
    order.push_back(1);
    return t.permute(order);
}

/// The inverse of inputs_last, for a tensor shaped like `like`.
at::Tensor inputs_back(const at::Tensor& t, const at::Tensor& like)
{
    if (like.dim() <= 2)
        return t;
    std::vector<int64_t> order(size_t(like.dim()));
    order[0] = 0;
    order[1] = like.dim() - 1;
    for (int64_t d = 2; d < like.dim(); ++d)
        order[size_t(d)] = d - 1;
    return t.permute(order);
}

} // namespace

NmPattern parse_nm_pattern(const std::string& text)
{
    const auto colon = text.find(':');
    NmPattern p;
    try {
        if (colon == std::string::npos)
            throw Error("");
        p.n = std::stoll(text.substr(0, colon));
        p.m = std::stoll(text.substr(colon + 1));
    } catch (const std::exception&) {
        throw Error("pattern '" + text + "' is not N:M (like 2:4)");
    }
    if (p.n <= 0 || p.m > 64 || p.n >= p.m)
        throw Error("pattern '" + text + "' needs 0 < N < M <= 64 (like 2:4 or 4:8)");
    return p;
}

std::string to_string(const NmPattern& pattern)
{
    return std::to_string(pattern.n) + ":" + std::to_string(pattern.m);
}

at::Tensor keep_per_row(const at::Tensor& scores, double rate)
{
    const at::Tensor rows = scores.reshape({scores.size(0), -1});
    const int64_t length = rows.size(1);
    const int64_t pruned = std::min<int64_t>(length, std::llround(rate * double(length)));
    auto keep = at::ones(rows.sizes(), at::kBool);
    if (pruned > 0) {
        const at::Tensor lowest = std::get<1>(rows.topk(pruned, 1, /*largest=*/false));
        keep.scatter_(1, lowest, false);
    }
    return keep.view(scores.sizes());
}

at::Tensor keep_n_of_m(const at::Tensor& scores, const NmPattern& pattern)
{
    if (scores.dim() < 2 || scores.size(1) % pattern.m != 0)
        return {};
    const at::Tensor last = inputs_last(scores).contiguous();
    const at::Tensor groups = last.view({-1, pattern.m});
    const at::Tensor best = std::get<1>(groups.topk(pattern.n, 1));
    auto keep = at::zeros(groups.sizes(), at::kBool);
    keep.scatter_(1, best, true);
    return inputs_back(keep.view(last.sizes()), scores).contiguous();
}

bool satisfies_n_of_m(const at::Tensor& keep, const NmPattern& pattern)
{
    if (keep.dim() < 2 || keep.size(1) % pattern.m != 0)
        return false;
    const at::Tensor groups = inputs_last(keep.to(at::kBool)).contiguous().view({-1, pattern.m});
    return groups.sum(1).le(pattern.n).all().item<bool>();
}

} // namespace prunelab
