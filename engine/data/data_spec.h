#pragma once

#include "engine/core/option_macros.h"
#include "engine/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// The default Fashion-MNIST directory: $PRUNELAB_FASHION_MNIST_DIR if set, otherwise where
/// Debian's dataset-fashion-mnist package installs it.
std::string default_fashion_mnist_directory();

/// How to load a DATA spec: `fashion-mnist[:DIR]`, `mnist:DIR`, `cifar10:DIR`, `images:DIR`
/// (engine/data/image_folder.h), `tensors:FILE` (engine/data/tensor_file.h) or
/// `synthetic[:C,H,W[,CLASSES]]`.
struct DataOptions
{
    PRUNELAB_OPTION(std::string, spec, "fashion-mnist");
    /// Keep only the first N training / test samples (0 keeps all): small subsets for tests.
    /// The test limit also caps the validation split.
    PRUNELAB_OPTION(int64_t, train_limit, 0);
    PRUNELAB_OPTION(int64_t, test_limit, 0);
    /// Fraction of the training split held out (chosen by a shuffle fixed by `seed`, the rest
    /// keeping its file order) as the `validation` split every decision is measured on; 0 makes
    /// decisions on the test split.
    PRUNELAB_OPTION(double, validation_fraction, 0.1);
    PRUNELAB_OPTION(uint64_t, seed, 0);
    /// Shape and classes used by a bare `synthetic` spec (normally the model's input shape).
    PRUNELAB_OPTION(std::vector<int64_t>, synthetic_shape, (std::vector<int64_t>{1, 28, 28}));
    PRUNELAB_OPTION(int64_t, synthetic_classes, 10);
    /// images:DIR: sample size over resized size, training augmentation, normalization
    /// (auto, imagenet, none or MEAN,…/STD,…). The sample shape is `synthetic_shape`'s when it
    /// is C×H×W.
    PRUNELAB_OPTION(double, crop_ratio, 0.875);
    PRUNELAB_OPTION(bool, augment, true);
    PRUNELAB_OPTION(std::string, normalize, "auto");
    /// Refuse a data set that would take more bytes than this (0: ¾ of the machine's memory),
    /// checked before allocating; IDX files are read only as far as the limits need.
    PRUNELAB_OPTION(int64_t, max_memory, 0);
};

/// Loads the splits a spec names, normalized.
/// @throws prunelab::Error for an unknown spec, a missing directory, or a bad file (the message
///         names the file and the problem).
DataSplits load_data(const DataOptions& options);

} // namespace prunelab
