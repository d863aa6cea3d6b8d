#pragma once

// A user's own images: `images:DIR`, one sub-folder per class of PNG or JPEG files (decoded
// with Debian's stb_image), like torchvision's ImageFolder. DIR/train/CLASS and DIR/test/CLASS
// (or DIR/val/CLASS) give both splits; a plain DIR/CLASS holds one set that is split by a seeded
// shuffle. Every image is resized so its shorter side fits the sample size over `crop_ratio`,
// centre-cropped to the sample size, and normalized; training batches are augmented by a random
// crop and a horizontal flip unless `augment` is off.

#include "engine/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

struct ImageFolderOptions
{
    /// C,H,W of one sample (the model's input); empty: 3 channels at the first image's size.
    std::vector<int64_t> sample_shape;
    /// Sample size over resized size (0.875: resize to 256, crop 224); 1 crops nothing.
    double crop_ratio = 0.875;
    /// Random crop (padding H/8) and horizontal flip of training batches.
    bool augment = true;
    /// "auto" (per-channel mean and std of the training images), "imagenet", "none" or
    /// "M1,M2,M3/S1,S2,S3" (one value each for grey images).
    std::string normalize = "auto";
    /// Without train/test sub-folders: the fraction of the images held out for testing.
    double test_fraction = 0.2;
    uint64_t seed = 0;
};

/// Loads DIR. @throws prunelab::Error naming the folder or file: missing or empty folder, no
/// class sub-folders, a file that does not decode, a test class the training split lacks, bad
/// options.
DataSplits load_image_folder(const std::string& directory, const ImageFolderOptions& options);

/// Parses a normalization option for `channels` channels ("auto" needs the images: `images_u8`).
Normalization parse_normalization(const std::string& text, int64_t channels,
                                  const at::Tensor& images_u8);

} // namespace prunelab
