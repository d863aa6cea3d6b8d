#include "engine/data/image_folder.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/core/input_shapes.h"
#include "engine/core/number_list.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

namespace prunelab {
namespace {

namespace fs = std::filesystem;

struct ImageFile
{
    std::string path;
    int64_t label = 0;
};

bool is_image(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<std::string> sorted_subfolders(const fs::path& directory)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory))
        if (entry.is_directory() && entry.path().filename().string().front() != '.')
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

/// The images of one split: DIR/CLASS/FILE, labelled by the class's index in `classes`.
std::vector<ImageFile> list_split(const fs::path& directory,
                                  const std::vector<std::string>& classes)
{
    const auto found = sorted_subfolders(directory);
    for (const auto& name : found)
        if (std::find(classes.begin(), classes.end(), name) == classes.end())
            throw Error("images: " + (directory / name).string() +
                        " is a class the training images do not have");
    std::vector<ImageFile> files;
    for (size_t label = 0; label < classes.size(); ++label) {
        const fs::path folder = directory / classes[label];
        if (!fs::is_directory(folder))
            continue;
        std::vector<std::string> paths;
        for (const auto& entry : fs::directory_iterator(folder))
            if (entry.is_regular_file() && is_image(entry.path()))
                paths.push_back(entry.path().string());
        std::sort(paths.begin(), paths.end()); // the same order on every file system
        for (auto& path : paths)
            files.push_back({std::move(path), int64_t(label)});
    }
    return files;
}

struct PixelsDeleter
{
    void operator()(unsigned char* p) const { stbi_image_free(p); }
};

/// Decodes, resizes so the shorter side covers the sample size over `crop_ratio`, and
/// centre-crops one image into `out` ([C, H, W] uint8).
void load_image(const std::string& path, int64_t channels, int64_t height, int64_t width,
                double crop_ratio, at::Tensor out)
{
    int w = 0, h = 0, source_channels = 0;
    std::unique_ptr<unsigned char, PixelsDeleter> pixels(
        stbi_load(path.c_str(), &w, &h, &source_channels, int(channels)));
    if (!pixels)
        throw Error(path + ": not a PNG or JPEG image this build can decode (" +
                    std::string(stbi_failure_reason() ? stbi_failure_reason() : "unknown") + ")");
    const double scale = std::max(double(height) / h, double(width) / w) / crop_ratio;
    const int resized_w = std::max<int>(int(width), int(std::lround(w * scale)));
    const int resized_h = std::max<int>(int(height), int(std::lround(h * scale)));
    std::vector<unsigned char> resized(size_t(resized_w) * resized_h * channels);
    if (!stbir_resize_uint8(pixels.get(), w, h, 0, resized.data(), resized_w, resized_h, 0,
                            int(channels)))
        throw Error(path + ": could not resize the image to " + std::to_string(resized_w) + "×" +
                    std::to_string(resized_h));
    const auto hwc = at::from_blob(resized.data(), {resized_h, resized_w, channels}, at::kByte);
    const int64_t top = (resized_h - height) / 2, left = (resized_w - width) / 2;
    out.copy_(hwc.narrow(0, top, height).narrow(1, left, width).permute({2, 0, 1}));
}

Dataset decode_split(const std::vector<ImageFile>& files, const std::vector<int64_t>& shape,
                     double crop_ratio)
{
    Dataset d;
    d.images = at::empty({int64_t(files.size()), shape[0], shape[1], shape[2]}, at::kByte);
    d.labels = at::empty({int64_t(files.size())}, at::kLong);
    auto* labels = d.labels.data_ptr<int64_t>();
    for (size_t i = 0; i < files.size(); ++i) {
        load_image(files[i].path, shape[0], shape[1], shape[2], crop_ratio, d.images[int64_t(i)]);
        labels[i] = files[i].label;
    }
    return d;
}

std::vector<int64_t> sample_shape_for(const std::vector<ImageFile>& files,
                                      const std::vector<int64_t>& wanted)
{
    if (!wanted.empty()) {
        if (wanted.size() != 3 || (wanted[0] != 1 && wanted[0] != 3 && wanted[0] != 4))
            throw Error("images: the model takes samples of shape " +
                        format_input_shapes({wanted}) +
                        "; image folders give C×H×W samples with 1 (grey), 3 (RGB) or 4 "
                        "channels");
        return wanted;
    }
    int w = 0, h = 0, c = 0;
    if (!stbi_info(files.front().path.c_str(), &w, &h, &c))
        throw Error(files.front().path + ": not a PNG or JPEG image this build can decode");
    return {3, h, w};
}

std::vector<double> parse_values(const std::string& text, const std::string& whole)
{
    const NumberList list = parse_number_list(text);
    if (list.bad_item)
        throw Error("normalization '" + whole + "': '" + *list.bad_item + "' is not a number");
    return list.values;
}

} // namespace

Normalization parse_normalization(const std::string& text, int64_t channels,
                                  const at::Tensor& images_u8)
{
    if (text == "none")
        return {std::vector<double>(size_t(channels), 0.0),
                std::vector<double>(size_t(channels), 1.0)};
    if (text == "imagenet") {
        if (channels != 3)
            throw Error("normalization 'imagenet' is for RGB images; these have " +
                        std::to_string(channels) + " channels");
        return {{0.485, 0.456, 0.406}, {0.229, 0.224, 0.225}};
    }
    if (text == "auto") {
        const auto scaled =
            images_u8.to(at::kFloat).div_(255.0).transpose(0, 1).reshape({channels, -1});
        Normalization n;
        for (int64_t c = 0; c < channels; ++c) {
            n.mean.push_back(scaled[c].mean().item<double>());
            n.std.push_back(std::max(scaled[c].std().item<double>(), 1e-3)); // a flat channel
        }
        return n;
    }
    const auto slash = text.find('/');
    if (slash == std::string::npos)
        throw Error("normalization '" + text +
                    "': expected auto, imagenet, none or MEAN,…/STD,… (one value per channel)");
    Normalization n{parse_values(text.substr(0, slash), text),
                    parse_values(text.substr(slash + 1), text)};
    if (int64_t(n.mean.size()) != channels || int64_t(n.std.size()) != channels)
        throw Error("normalization '" + text + "' gives " + std::to_string(n.mean.size()) +
                    " means and " + std::to_string(n.std.size()) + " deviations for " +
                    std::to_string(channels) + " channels");
    for (double s : n.std)
        if (s <= 0)
            throw Error("normalization '" + text + "': deviations must be positive");
    return n;
}

DataSplits load_image_folder(const std::string& directory, const ImageFolderOptions& options)
{
    const fs::path root(directory);
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw Error("images: " + directory + " is not a folder");
    if (!(options.crop_ratio > 0.0 && options.crop_ratio <= 1.0))
        throw Error("images: the crop ratio must be in (0, 1], not " +
                    std::to_string(options.crop_ratio));
    check_fraction(options.test_fraction, "test fraction", FractionRange::BelowOne);

    fs::path train_dir = root, test_dir;
    if (fs::is_directory(root / "train")) {
        train_dir = root / "train";
        for (const char* name : {"test", "val"})
            if (fs::is_directory(root / name)) {
                test_dir = root / name;
                break;
            }
    }
    const auto classes = sorted_subfolders(train_dir);
    if (classes.empty())
        throw Error("images: " + train_dir.string() +
                    " has no class sub-folders (expected DIR/CLASS/*.png or DIR/train/CLASS/…)");
    auto train_files = list_split(train_dir, classes);
    if (train_files.empty())
        throw Error("images: no PNG or JPEG files in the class folders of " + train_dir.string());
    std::vector<ImageFile> test_files;
    if (!test_dir.empty()) {
        test_files = list_split(test_dir, classes);
    } else {
        // One set: hold out a seeded share for testing, the rest (in file order) for training.
        const int64_t n = int64_t(train_files.size());
        const int64_t held =
            std::clamp<int64_t>(std::llround(options.test_fraction * double(n)), 1, n - 1);
        if (n < 2)
            throw Error("images: " + train_dir.string() +
                        " holds one image; a test split needs more");
        auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
        const auto order = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
        std::vector<bool> is_test(size_t(n), false);
        for (int64_t i = n - held; i < n; ++i)
            is_test[size_t(order[i].item<int64_t>())] = true;
        std::vector<ImageFile> kept;
        for (int64_t i = 0; i < n; ++i)
            (is_test[size_t(i)] ? test_files : kept).push_back(train_files[size_t(i)]);
        train_files = std::move(kept);
    }
    if (test_files.empty())
        throw Error("images: no PNG or JPEG files in the class folders of " + test_dir.string());

    const auto shape = sample_shape_for(train_files, options.sample_shape);
    Dataset train = decode_split(train_files, shape, options.crop_ratio);
    Dataset test = decode_split(test_files, shape, options.crop_ratio);
    DataSplits splits;
    splits.normalization = parse_normalization(options.normalize, shape[0], train.images);
    splits.train.images = normalize_images(train.images, splits.normalization);
    splits.train.labels = train.labels;
    splits.test.images = normalize_images(test.images, splits.normalization);
    splits.test.labels = test.labels;
    for (Dataset* d : {&splits.train, &splits.test}) {
        d->num_classes = std::max<int64_t>(int64_t(classes.size()), 2);
        d->name = "images:" + directory;
    }
    if (options.augment)
        splits.train.augmentation = {std::max<int64_t>(shape[1] / 8, 1), true};
    return splits;
}

} // namespace prunelab
