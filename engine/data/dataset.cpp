#include "engine/data/dataset.h"

#include "engine/core/error.h"

#include <ATen/ATen.h>

namespace prunelab {

std::vector<int64_t> Dataset::sample_shape() const
{
    if (!images.defined() || images.dim() < 2)
        return {};
    const auto sizes = images.sizes();
    return {sizes.begin() + 1, sizes.end()}; // any rank: features, sequences, images, volumes
}

Dataset Dataset::head(int64_t count) const
{
    if (count <= 0 || count >= size())
        return *this;
    return slice(0, count);
}

Dataset Dataset::slice(int64_t begin, int64_t end) const
{
    if (begin < 0 || end > size() || begin > end)
        throw Error("data set '" + name + "': slice [" + std::to_string(begin) + ", " +
                    std::to_string(end) + ") is outside its " + std::to_string(size()) +
                    " samples");
    Dataset out = *this;
    out.images = images.slice(0, begin, end);
    out.labels = labels.slice(0, begin, end);
    return out;
}

at::Tensor normalize_images(const at::Tensor& images_u8, const Normalization& normalization)
{
    const int64_t channels = images_u8.size(1);
    if (static_cast<int64_t>(normalization.mean.size()) != channels ||
        static_cast<int64_t>(normalization.std.size()) != channels)
        throw Error("normalization has " + std::to_string(normalization.mean.size()) +
                    " channels but the images have " + std::to_string(channels));
    auto images = images_u8.to(at::kFloat).div_(255.0);
    auto mean = at::tensor(normalization.mean, at::kFloat).view({1, channels, 1, 1});
    auto std = at::tensor(normalization.std, at::kFloat).view({1, channels, 1, 1});
    return images.sub_(mean).div_(std).contiguous();
}

} // namespace prunelab
