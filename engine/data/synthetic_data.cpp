#include "engine/data/synthetic_data.h"

#include "engine/core/error.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <string>

#include <unistd.h>

namespace prunelab {
namespace {

Dataset sample(const at::Tensor& prototypes, int64_t count, double noise, at::Generator& gen,
               const std::string& name)
{
    const int64_t classes = prototypes.size(0);
    Dataset out;
    out.labels = at::randint(classes, {count}, gen, at::TensorOptions().dtype(at::kLong));
    auto noise_tensor = at::normal(0.0, noise, prototypes.index_select(0, out.labels).sizes(), gen,
                                   at::TensorOptions().dtype(at::kFloat));
    out.images = (prototypes.index_select(0, out.labels) + noise_tensor).contiguous();
    out.num_classes = classes;
    out.name = name;
    return out;
}

/// What generating the splits takes at its peak: every sample as float32, about three times
/// over (prototypes gathered, noise, their sum), with overflow treated as "too much".
void check_size(const SyntheticSpec& spec, const std::vector<int64_t>& sample)
{
    double elements = 1.0;
    std::string shape;
    for (int64_t size : sample) {
        elements *= double(size);
        shape += (shape.empty() ? "" : "×") + std::to_string(size);
    }
    const double samples = double(spec.train_size) + double(spec.test_size) + double(spec.classes);
    const double bytes = 3.0 * samples * elements * sizeof(float);
    const double cap = double(memory_cap_or_default(spec.max_bytes));
    if (bytes > cap) {
        const auto gigabytes = format_gigabytes;
        throw Error("synthetic data: " + std::to_string(spec.train_size) + " + " +
                    std::to_string(spec.test_size) + " samples of " + shape + " would take about " +
                    gigabytes(bytes) + ", more than the " + gigabytes(cap) +
                    " one data set may use here; lower --train-limit/--test-limit or the shape");
    }
}

} // namespace

DataSplits make_synthetic(const SyntheticSpec& spec)
{
    if (!spec.shape.empty() && spec.shape.size() != 3) {
        // Not an image: one random prototype per class of that shape, no spatial smoothing.
        for (int64_t size : spec.shape)
            if (size <= 0)
                throw Error("synthetic data: every size of the sample shape must be positive");
        if (spec.classes < 2 || spec.train_size <= 0 || spec.test_size <= 0)
            throw Error("synthetic data: classes at least 2 and positive sizes needed");
        check_size(spec, spec.shape);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(spec.seed);
        std::vector<int64_t> sizes = {spec.classes};
        sizes.insert(sizes.end(), spec.shape.begin(), spec.shape.end());
        const auto prototypes =
            at::normal(0.0, 1.0, sizes, gen, at::TensorOptions().dtype(at::kFloat));
        DataSplits splits;
        splits.train = sample(prototypes, spec.train_size, spec.noise, gen, "synthetic");
        splits.test = sample(prototypes, spec.test_size, spec.noise, gen, "synthetic");
        const size_t channels = spec.shape.size() >= 2 ? size_t(spec.shape[0]) : 1;
        splits.normalization.mean.assign(channels, 0.0);
        splits.normalization.std.assign(channels, 1.0);
        return splits;
    }
    if (spec.channels <= 0 || spec.height <= 0 || spec.width <= 0 || spec.classes < 2)
        throw Error("synthetic data: channels, height and width must be positive and classes "
                    "at least 2");
    if (spec.train_size <= 0 || spec.test_size <= 0)
        throw Error("synthetic data: train and test sizes must be positive");
    check_size(spec, {spec.channels, spec.height, spec.width});
    auto gen = at::make_generator<at::CPUGeneratorImpl>(spec.seed);
    // Smooth prototypes (upsampled low-resolution noise) so convolutions have structure to find.
    const int64_t low_h = std::max<int64_t>(1, spec.height / 4);
    const int64_t low_w = std::max<int64_t>(1, spec.width / 4);
    auto coarse = at::normal(0.0, 1.0, {spec.classes, spec.channels, low_h, low_w}, gen,
                             at::TensorOptions().dtype(at::kFloat));
    auto prototypes = at::upsample_nearest2d(coarse, {spec.height, spec.width});

    DataSplits splits;
    const std::string name = "synthetic";
    splits.train = sample(prototypes, spec.train_size, spec.noise, gen, name);
    splits.test = sample(prototypes, spec.test_size, spec.noise, gen, name);
    splits.normalization.mean.assign(static_cast<size_t>(spec.channels), 0.0);
    splits.normalization.std.assign(static_cast<size_t>(spec.channels), 1.0);
    return splits;
}

} // namespace prunelab
