#include "engine/interop/sparse_tensors.h"

#include "engine/core/error.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

using Entry = c10::impl::GenericDict;

Entry new_entry()
{
    return Entry(c10::StringType::get(), c10::AnyType::get());
}

bool has(const Entry& entry, const std::string& key)
{
    return entry.contains(c10::IValue(key));
}

/// Rows for CSR and int8 scales: the output channels of a weight, one row for anything else.
int64_t row_count(const at::Tensor& tensor)
{
    return tensor.dim() >= 2 ? tensor.size(0) : 1;
}

/// LSB-first bits of a flat bool tensor (numpy.unpackbits(bits, bitorder="little") reads them).
at::Tensor pack_bits(const at::Tensor& flat)
{
    const int64_t n = flat.numel();
    at::Tensor bits = at::zeros({(n + 7) / 8}, at::kByte);
    const bool* in = flat.data_ptr<bool>();
    uint8_t* out = bits.data_ptr<uint8_t>();
    for (int64_t i = 0; i < n; ++i)
        if (in[i])
            out[i / 8] |= uint8_t(1u << (i % 8));
    return bits;
}

at::Tensor unpack_bits(const at::Tensor& bits, int64_t n)
{
    at::Tensor flat = at::empty({n}, at::kBool);
    const uint8_t* in = bits.data_ptr<uint8_t>();
    bool* out = flat.data_ptr<bool>();
    for (int64_t i = 0; i < n; ++i)
        out[i] = (in[i / 8] >> (i % 8)) & 1u;
    return flat;
}

const c10::IValue& entry_field(const Entry& entry, const std::string& key, const std::string& label,
                               const std::string& name)
{
    const auto found = entry.find(c10::IValue(key));
    if (found == entry.end())
        throw Error(label + ": sparse tensor '" + name + "' has no '" + key + "' entry");
    return found->value();
}

at::Tensor entry_tensor(const Entry& entry, const std::string& key, const std::string& label,
                        const std::string& name)
{
    const auto& value = entry_field(entry, key, label, name);
    if (!value.isTensor())
        throw Error(label + ": sparse tensor '" + name + "': '" + key + "' is not a tensor");
    return value.toTensor().contiguous();
}

} // namespace

c10::IValue encode_sparse_tensor(const at::Tensor& source, const at::Tensor& mask,
                                 const SparseEncoding& encoding)
{
    const at::Tensor tensor = source.detach().contiguous();
    Entry entry = new_entry();
    entry.insert(std::string("shape"), c10::IValue(tensor.sizes().vec()));
    if (!tensor.is_floating_point() || tensor.dim() == 0) {
        entry.insert(std::string("encoding"), std::string("dense"));
        entry.insert(std::string("values"), tensor);
        return entry;
    }
    const at::Tensor values_all = tensor.to(at::kFloat).reshape({-1});
    const at::Tensor kept =
        (mask.defined() ? mask.to(at::kBool) : tensor.ne(0)).reshape({-1}).contiguous();
    const int64_t n = tensor.numel(), k = kept.sum().item<int64_t>();
    const int64_t rows = row_count(tensor), cols = n / rows;
    const bool int8 = encoding.int8 && tensor.dim() >= 2;
    const int64_t value_bytes = int8 ? 1 : 4;
    const int64_t index_bytes = cols <= 32767 ? 2 : 4;
    const int64_t dense_cost = n * value_bytes;
    const int64_t bitmask_cost = (n + 7) / 8 + k * value_bytes;
    const int64_t csr_cost = k * (index_bytes + value_bytes) + (rows + 1) * 4;
    std::string kind = "dense";
    if (mask.defined() || std::min(bitmask_cost, csr_cost) < dense_cost)
        kind = csr_cost < bitmask_cost ? "csr" : "bitmask";

    at::Tensor values = kind == "dense" ? values_all : values_all.masked_select(kept);
    if (int8) {
        // Per-row symmetric scale: the row's largest kept magnitude maps to 127.
        const at::Tensor magnitudes = values_all.abs().mul(kept.to(at::kFloat));
        at::Tensor scales = std::get<0>(magnitudes.reshape({rows, cols}).max(1)) / 127.0;
        scales = at::where(scales > 0, scales, at::ones_like(scales));
        const at::Tensor row_of =
            kind == "dense" ? at::arange(n, at::kLong).div(cols, "floor")
                            : at::arange(n, at::kLong).div(cols, "floor").masked_select(kept);
        values = values.div(scales.index_select(0, row_of)).round().clamp(-127, 127).to(at::kChar);
        entry.insert(std::string("scales"), scales.contiguous());
    }
    entry.insert(std::string("encoding"), kind);
    entry.insert(std::string("values"), values.contiguous());
    entry.insert(std::string("dtype"), std::string(c10::toString(tensor.scalar_type())));
    if (kind == "bitmask") {
        entry.insert(std::string("bits"), pack_bits(kept));
    } else if (kind == "csr") {
        const at::Tensor grid = kept.reshape({rows, cols});
        const at::Tensor counts = grid.sum(1).to(at::kInt);
        entry.insert(std::string("row_ptr"),
                     at::cat({at::zeros({1}, at::kInt), counts.cumsum(0).to(at::kInt)}));
        const at::Tensor columns =
            at::arange(cols, at::kLong).expand({rows, cols}).masked_select(grid);
        entry.insert(std::string("col"),
                     columns.to(index_bytes == 2 ? at::kShort : at::kInt).contiguous());
    }
    return entry;
}

at::Tensor decode_sparse_tensor(const c10::IValue& value, const std::string& label,
                                const std::string& name, at::Tensor* kept_out)
{
    if (!value.isGenericDict())
        throw Error(label + ": sparse tensor '" + name + "' is not a dictionary");
    const Entry entry = value.toGenericDict();
    const auto& shape_value = entry_field(entry, "shape", label, name);
    if (!shape_value.isIntList())
        throw Error(label + ": sparse tensor '" + name + "': 'shape' is not a list of sizes");
    const std::vector<int64_t> shape = shape_value.toIntVector();
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / d))
            throw Error(label + ": sparse tensor '" + name + "' has an impossible shape");
        n *= d;
    }
    const auto& kind_value = entry_field(entry, "encoding", label, name);
    const std::string kind = kind_value.isString() ? kind_value.toStringRef() : "";
    at::Tensor values = entry_tensor(entry, "values", label, name).reshape({-1});
    const int64_t rows = shape.size() >= 2 ? shape[0] : 1;
    const int64_t cols = rows > 0 ? n / rows : 0;

    at::Tensor kept;
    if (kind == "dense") {
        kept = at::ones({n}, at::kBool);
    } else if (kind == "bitmask") {
        const at::Tensor bits = entry_tensor(entry, "bits", label, name);
        if (bits.scalar_type() != at::kByte || bits.numel() != (n + 7) / 8)
            throw Error(label + ": sparse tensor '" + name + "': its bitmask has the wrong size");
        kept = unpack_bits(bits, n);
    } else if (kind == "csr") {
        const at::Tensor row_ptr = entry_tensor(entry, "row_ptr", label, name).to(at::kLong);
        const at::Tensor col = entry_tensor(entry, "col", label, name).to(at::kLong);
        if (row_ptr.numel() != rows + 1 || row_ptr[0].item<int64_t>() != 0 ||
            row_ptr[-1].item<int64_t>() != col.numel() ||
            (rows > 0 && (row_ptr.diff() < 0).any().item<bool>()) ||
            (col.numel() > 0 &&
             (col.min().item<int64_t>() < 0 || col.max().item<int64_t>() >= cols)))
            throw Error(label + ": sparse tensor '" + name + "': its CSR indices are damaged");
        const at::Tensor row_of =
            at::repeat_interleave(at::arange(rows, at::kLong), row_ptr.diff());
        kept = at::zeros({n}, at::kBool);
        kept.index_put_({row_of * cols + col}, true);
        if (kept.sum().item<int64_t>() != col.numel())
            throw Error(label + ": sparse tensor '" + name + "': its CSR indices repeat");
    } else {
        throw Error(label + ": sparse tensor '" + name + "' has an unknown encoding '" + kind +
                    "'");
    }
    const int64_t k = kept.sum().item<int64_t>();
    if (values.numel() != k)
        throw Error(label + ": sparse tensor '" + name + "' has " + std::to_string(values.numel()) +
                    " values for " + std::to_string(k) + " kept elements");
    if (has(entry, "scales")) {
        const at::Tensor scales = entry_tensor(entry, "scales", label, name).to(at::kFloat);
        if (scales.numel() != rows || values.scalar_type() != at::kChar)
            throw Error(label + ": sparse tensor '" + name + "': its int8 scales are damaged");
        const at::Tensor row_of = at::arange(n, at::kLong).div(cols, "floor").masked_select(kept);
        values = values.to(at::kFloat) * scales.index_select(0, row_of);
    }
    at::Tensor dense;
    if (kind == "dense") {
        dense = values.reshape(shape).clone();
    } else {
        dense =
            at::zeros({n}, values.scalar_type() == at::kChar ? at::kFloat : values.scalar_type());
        dense.masked_scatter_(kept, values.to(dense.scalar_type()));
        dense = dense.reshape(shape);
    }
    if (has(entry, "dtype")) {
        const auto& dtype = entry_field(entry, "dtype", label, name);
        if (dtype.isString() && dtype.toStringRef() == "Double")
            dense = dense.to(at::kDouble);
    }
    if (kept_out)
        *kept_out = kept.reshape(shape);
    return dense;
}

} // namespace prunelab
