#include "engine/data/tensor_file.h"

#include "engine/core/error.h"
#include "engine/data/torch_save.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Dict.h>

#include <cmath>
#include <map>

namespace prunelab {
namespace {

constexpr int64_t kMostClasses = 100000;

std::string shape_text(const at::Tensor& t)
{
    std::string out;
    for (int64_t size : t.sizes())
        out += (out.empty() ? "" : "×") + std::to_string(size);
    return "[" + out + "]";
}

/// One split from its inputs and (maybe undefined) labels, checked.
Dataset split_of(const std::string& path, const std::string& x_key, const at::Tensor& x,
                 const std::string& y_key, const at::Tensor& y)
{
    if (x.dim() < 2 || x.size(0) < 1)
        throw Error(path + ": '" + x_key + "' is " + shape_text(x) +
                    "; it must hold samples along its first dimension (N×…, N ≥ 1)");
    if (!x.is_floating_point() && x.scalar_type() != at::kByte && x.scalar_type() != at::kLong &&
        x.scalar_type() != at::kInt)
        throw Error(path + ": '" + x_key + "' holds " +
                    std::string(c10::toString(x.scalar_type())) + ", not numbers");
    Dataset d;
    d.images = x.to(at::kFloat).contiguous();
    if (!d.images.isfinite().all().item<bool>())
        throw Error(path + ": '" + x_key + "' holds NaN or infinite values");
    const int64_t n = x.size(0);
    if (!y.defined()) {
        d.labels = at::zeros({n}, at::kLong); // not read: num_classes 0 says there are none
        return d;
    }
    if (y.is_floating_point() || y.dim() != 1 || y.size(0) != n)
        throw Error(path + ": '" + y_key + "' must be N integer labels, one per sample of '" +
                    x_key + "' (" + std::to_string(n) + "), not " + shape_text(y) + " " +
                    std::string(c10::toString(y.scalar_type())));
    d.labels = y.to(at::kLong).contiguous();
    const int64_t low = d.labels.min().item<int64_t>(), high = d.labels.max().item<int64_t>();
    if (low < 0 || high >= kMostClasses)
        throw Error(path + ": '" + y_key + "' holds the label " +
                    std::to_string(low < 0 ? low : high) + "; labels are classes 0.." +
                    std::to_string(kMostClasses - 1));
    d.num_classes = std::max<int64_t>(high + 1, 2);
    return d;
}

} // namespace

DataSplits load_tensor_file(const std::string& path, uint64_t seed, double test_fraction)
{
    const c10::IValue value = load_torch_save(path);
    if (!value.isGenericDict())
        throw Error(path + ": holds a " + value.tagKind() +
                    ", not a dict of tensors ({\"x\": x, \"y\": y}, y optional)");
    std::map<std::string, at::Tensor> tensors;
    for (const auto& entry : value.toGenericDict()) {
        if (!entry.key().isString())
            throw Error(path + ": the dict's keys must be strings (\"x\", \"y\", ...)");
        const std::string key = entry.key().toStringRef();
        if (key != "x" && key != "y" && key != "x_test" && key != "y_test")
            throw Error(path + ": unknown key '" + key + "' (x, y, x_test, y_test)");
        if (!entry.value().isTensor())
            throw Error(path + ": '" + key + "' is a " + entry.value().tagKind() +
                        ", not a tensor");
        tensors[key] = entry.value().toTensor();
    }
    auto get = [&](const std::string& key) {
        const auto it = tensors.find(key);
        return it == tensors.end() ? at::Tensor() : it->second;
    };
    if (!get("x").defined())
        throw Error(path + ": no \"x\" (the inputs, N×…)");
    if (get("y_test").defined() && !get("x_test").defined())
        throw Error(path + ": \"y_test\" without \"x_test\"");
    if (get("x_test").defined() && get("y").defined() != get("y_test").defined())
        throw Error(path + ": labels for one split only (give both y and y_test, or neither)");

    DataSplits splits;
    Dataset all = split_of(path, "x", get("x"), "y", get("y"));
    if (get("x_test").defined()) {
        splits.train = std::move(all);
        splits.test = split_of(path, "x_test", get("x_test"), "y_test", get("y_test"));
        if (splits.test.images.sizes().slice(1) != splits.train.images.sizes().slice(1))
            throw Error(path + ": samples of 'x_test' " + shape_text(splits.test.images) +
                        " and 'x' " + shape_text(splits.train.images) + " differ in shape");
        splits.test.num_classes = splits.train.num_classes =
            std::max(splits.train.num_classes, splits.test.num_classes);
    } else {
        const int64_t n = all.size();
        if (n < 2)
            throw Error(path + ": one sample cannot be split into training and test sets; give "
                               "more, or \"x_test\"");
        const int64_t held_out =
            std::clamp<int64_t>(std::llround(test_fraction * double(n)), 1, n - 1);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
        const auto order = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
        auto take = [&](const at::Tensor& index) {
            Dataset d = all;
            d.images = all.images.index_select(0, index);
            d.labels = all.labels.index_select(0, index);
            return d;
        };
        splits.train = take(order.slice(0, 0, n - held_out));
        splits.test = take(order.slice(0, n - held_out, n));
    }
    const std::string name = "tensors:" + path;
    splits.train.name = splits.test.name = name;
    return splits;
}

} // namespace prunelab
