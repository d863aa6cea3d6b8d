#include "engine/data/data_spec.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/core/input_shapes.h"
#include "engine/data/cifar_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_folder.h"
#include "engine/data/synthetic_data.h"
#include "engine/data/tensor_file.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace prunelab {
namespace {

struct ParsedSpec
{
    std::string kind;
    std::string argument;
};

ParsedSpec split_spec(const std::string& spec)
{
    const auto colon = spec.find(':');
    if (colon == std::string::npos)
        return {spec, ""};
    return {spec.substr(0, colon), spec.substr(colon + 1)};
}

std::vector<int64_t> parse_integers(const std::string& text, const std::string& spec)
{
    std::vector<int64_t> values;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        try {
            size_t used = 0;
            const long long value = std::stoll(item, &used);
            if (used != item.size() || value <= 0)
                throw std::invalid_argument(item);
            values.push_back(value);
        } catch (const std::exception&) {
            throw Error("data spec '" + spec + "': '" + item + "' is not a positive integer");
        }
    }
    return values;
}

DataSplits from_uint8(IdxSplit train, IdxSplit test, const Normalization& normalization,
                      const std::string& name)
{
    DataSplits splits;
    splits.normalization = normalization;
    splits.train.images = normalize_images(train.images, normalization);
    splits.train.labels = train.labels;
    splits.test.images = normalize_images(test.images, normalization);
    splits.test.labels = test.labels;
    for (Dataset* d : {&splits.train, &splits.test}) {
        d->num_classes = 10;
        d->name = name;
    }
    return splits;
}

DataSplits load_synthetic(const std::string& argument, const DataOptions& options)
{
    SyntheticSpec spec;
    // A model without classes (0) still gets labelled samples; it never reads the labels.
    const int64_t classes = options.synthetic_classes() >= 2 ? options.synthetic_classes() : 10;
    std::vector<int64_t> values =
        argument.empty() ? options.synthetic_shape() : parse_integers(argument, options.spec());
    if (argument.empty() && values.size() != 3 && !values.empty() && values.size() <= 5) {
        // Shaped like a model's input of another rank (features, sequences).
        spec.shape = values;
        spec.classes = classes;
    } else if (values.size() == 3 || values.size() == 4) {
        spec.channels = values[0];
        spec.height = values[1];
        spec.width = values[2];
        spec.classes = values.size() == 4 ? values[3] : classes;
    } else {
        throw Error("data spec '" + options.spec() +
                    "': expected synthetic:C,H,W or synthetic:C,H,W,CLASSES");
    }
    if (options.train_limit() > 0) {
        // Generate enough that the limit still holds after the validation split is carved.
        const double kept = 1.0 - std::clamp(options.validation_fraction(), 0.0, 0.99);
        spec.train_size = std::llround(double(options.train_limit()) / kept);
    }
    if (options.test_limit() > 0)
        spec.test_size = options.test_limit();
    spec.seed = 7 + options.seed();
    spec.max_bytes = options.max_memory();
    return make_synthetic(spec);
}

// Which training records become validation: a shuffle fixed by `seed`; training keeps its file
// order (a limit then takes the first N, as without validation).
struct ValidationPlan
{
    at::Tensor keep; ///< training records, ascending
    at::Tensor hold; ///< validation records, in shuffled order
};

ValidationPlan plan_validation(int64_t total, double fraction, uint64_t seed)
{
    check_fraction(fraction, "validation fraction", FractionRange::BelowOne);
    const int64_t held_out = static_cast<int64_t>(std::llround(fraction * double(total)));
    const auto longs = at::TensorOptions().dtype(at::kLong);
    if (held_out == 0)
        return {at::arange(total, longs), at::empty({0}, longs)};
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto order = at::randperm(total, gen, longs);
    return {std::get<0>(order.slice(0, 0, total - held_out).sort()),
            order.slice(0, total - held_out, total)};
}

at::Tensor head(const at::Tensor& indices, int64_t limit)
{
    return limit > 0 && limit < indices.numel() ? indices.slice(0, 0, limit) : indices;
}

void carve_validation(DataSplits& splits, double fraction, uint64_t seed)
{
    const ValidationPlan plan = plan_validation(splits.train.size(), fraction, seed);
    if (plan.hold.numel() == 0)
        return;
    splits.validation = splits.train;
    splits.validation.images = splits.train.images.index_select(0, plan.hold);
    splits.validation.labels = splits.train.labels.index_select(0, plan.hold);
    splits.train.images = splits.train.images.index_select(0, plan.keep);
    splits.train.labels = splits.train.labels.index_select(0, plan.keep);
    splits.validation.augmentation = {}; // measured, never trained on
}

std::vector<int64_t> to_vector(const at::Tensor& indices)
{
    const auto contiguous = indices.contiguous();
    const int64_t* data = contiguous.data_ptr<int64_t>();
    return {data, data + contiguous.numel()};
}

// An IDX directory read as far as the limits need (issue 16: a 1 MB .gz expanded to 5.4 GB
// before the limit applied), carved exactly as carve_validation carves the whole file.
DataSplits load_idx_limited(const std::string& directory, const Normalization& normalization,
                            const std::string& name, const DataOptions& options)
{
    const int64_t train_total = idx_split_size(directory, true);
    const int64_t test_total = idx_split_size(directory, false);
    const ValidationPlan plan =
        plan_validation(train_total, options.validation_fraction(), options.seed());
    const at::Tensor keep = head(plan.keep, options.train_limit());
    const at::Tensor hold = head(plan.hold, options.test_limit());
    const at::Tensor wanted = std::get<0>(at::cat({keep, hold}).sort());

    IdxReadOptions train_read;
    train_read.records = to_vector(wanted);
    train_read.max_bytes = options.max_memory();
    IdxReadOptions test_read;
    test_read.max_bytes = options.max_memory();
    if (options.test_limit() > 0 && options.test_limit() < test_total)
        test_read.records = to_vector(at::arange(options.test_limit(), at::kLong));

    const IdxSplit rows = load_idx_split(directory, true, train_read, 10);
    IdxSplit train{rows.images.index_select(0, at::searchsorted(wanted, keep)),
                   rows.labels.index_select(0, at::searchsorted(wanted, keep))};
    DataSplits splits =
        from_uint8(train, load_idx_split(directory, false, test_read, 10), normalization, name);
    if (hold.numel() > 0) {
        const at::Tensor at_hold = at::searchsorted(wanted, hold);
        splits.validation = splits.train;
        splits.validation.images =
            normalize_images(rows.images.index_select(0, at_hold), normalization);
        splits.validation.labels = rows.labels.index_select(0, at_hold);
        splits.validation.augmentation = {};
    }
    return splits;
}

} // namespace

std::string default_fashion_mnist_directory()
{
    if (const char* overridden = std::getenv("PRUNELAB_FASHION_MNIST_DIR"))
        return overridden;
    return "/usr/share/datasets/fashion-mnist";
}

DataSplits load_data(const DataOptions& options)
{
    const ParsedSpec parsed = split_spec(options.spec());
    DataSplits splits;
    bool carved = false; // the validation split taken while reading
    if (parsed.kind == "fashion-mnist" || parsed.kind == "mnist") {
        const bool fashion = parsed.kind == "fashion-mnist";
        std::string directory = parsed.argument;
        if (directory.empty()) {
            if (!fashion)
                throw Error("data spec 'mnist' needs a directory: mnist:DIR");
            directory = default_fashion_mnist_directory();
        }
        const Normalization normalization =
            fashion ? Normalization{{0.2860}, {0.3530}} : Normalization{{0.1307}, {0.3081}};
        splits = load_idx_limited(directory, normalization, parsed.kind, options);
        carved = true;
    } else if (parsed.kind == "cifar10") {
        if (parsed.argument.empty())
            throw Error("data spec 'cifar10' needs a directory: cifar10:DIR");
        const Normalization normalization{{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}};
        splits = from_uint8(load_cifar10_split(parsed.argument, true),
                            load_cifar10_split(parsed.argument, false), normalization, "cifar10");
    } else if (parsed.kind == "synthetic") {
        splits = load_synthetic(parsed.argument, options);
    } else if (parsed.kind == "images") {
        if (parsed.argument.empty())
            throw Error("data spec 'images' needs a folder: images:DIR (one sub-folder of PNG or "
                        "JPEG files per class, or DIR/train/CLASS and DIR/test/CLASS)");
        ImageFolderOptions image_options;
        if (options.synthetic_shape().size() == 3)
            image_options.sample_shape = options.synthetic_shape();
        else if (!options.synthetic_shape().empty())
            throw Error("data spec '" + options.spec() + "' gives C×H×W images; the model takes " +
                        format_input_shapes({options.synthetic_shape()}));
        image_options.crop_ratio = options.crop_ratio();
        image_options.augment = options.augment();
        image_options.normalize = options.normalize();
        image_options.seed = options.seed();
        splits = load_image_folder(parsed.argument, image_options);
    } else if (parsed.kind == "tensors") {
        if (parsed.argument.empty())
            throw Error("data spec 'tensors' needs a file: tensors:FILE (a dict {\"x\": ..., "
                        "\"y\": ...} saved with torch.save)");
        splits = load_tensor_file(parsed.argument, options.seed());
    } else {
        throw Error(
            "unknown data spec '" + options.spec() +
            "' (expected fashion-mnist, mnist:DIR, cifar10:DIR, images:DIR, tensors:FILE or "
            "synthetic[:C,H,W[,CLASSES]])");
    }
    splits.spec = options.spec();
    if (!carved)
        carve_validation(splits, options.validation_fraction(), options.seed());
    splits.train = splits.train.head(options.train_limit());
    splits.test = splits.test.head(options.test_limit());
    splits.validation = splits.validation.head(options.test_limit());
    return splits;
}

} // namespace prunelab
