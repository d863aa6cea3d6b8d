#pragma once

// Random augmentation of training batches: a random crop from a reflection-padded image and a
// horizontal flip (the CIFAR/ImageNet conventions). Applied by the trainer to the batches it
// draws from a training set, never to evaluation; a set carries its own (images:DIR turns it on
// by default), so data that must not be flipped — features, sequences — never is.

#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>

#include <cstdint>

namespace prunelab {

struct Augmentation
{
    /// Pixels of reflection padding before a random crop back to the original size (0: none).
    int64_t crop_padding = 0;
    /// Mirror half of the samples left-right.
    bool horizontal_flip = false;

    bool any() const { return crop_padding > 0 || horizontal_flip; }
};

/// A randomly augmented copy of a batch of images [N, C, H, W]; anything else is returned as
/// is. Deterministic for the generator's state.
at::Tensor augment_batch(const at::Tensor& images, const Augmentation& augmentation,
                         at::Generator& generator);

} // namespace prunelab
