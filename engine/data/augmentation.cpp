#include "engine/data/augmentation.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace prunelab {

at::Tensor augment_batch(const at::Tensor& images, const Augmentation& augmentation,
                         at::Generator& generator)
{
    if (!augmentation.any() || images.dim() != 4 || images.size(0) == 0)
        return images;
    const int64_t n = images.size(0), height = images.size(2), width = images.size(3);
    at::Tensor out = images;
    // Reflection padding needs a margin smaller than the image.
    const int64_t pad = std::min({augmentation.crop_padding, height - 1, width - 1});
    if (pad > 0) {
        const auto padded = at::reflection_pad2d(images, {pad, pad, pad, pad});
        const auto offsets = at::randint(0, 2 * pad + 1, {n, 2}, generator, at::kLong);
        const auto* offset = offsets.data_ptr<int64_t>();
        std::vector<at::Tensor> crops;
        crops.reserve(size_t(n));
        for (int64_t i = 0; i < n; ++i)
            crops.push_back(
                padded[i].narrow(1, offset[2 * i], height).narrow(2, offset[2 * i + 1], width));
        out = at::stack(crops);
    }
    if (augmentation.horizontal_flip) {
        const auto flip = at::rand({n}, generator).lt(0.5);
        if (flip.any().item<bool>()) {
            out = out.clone();
            const auto chosen = flip.nonzero().squeeze(1);
            out.index_copy_(0, chosen, out.index_select(0, chosen).flip({3}));
        }
    }
    return out.contiguous();
}

} // namespace prunelab
