// ATen operations of a traced graph → ONNX operators (opset 13 to 17). One function per family;
// the table at the end maps each operation (and its in-place form, `relu_`) to one.

#include "engine/export/onnx_writer.h"

#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

namespace prunelab {
namespace {

using torch::jit::Node;
using torch::jit::Value;
using Handler = std::function<void(OnnxWriter&, const Node*)>;

int64_t normalized_dim(int64_t dim, int64_t rank)
{
    return dim < 0 ? dim + rank : dim;
}

/// A list argument of one entry broadcast to `count` spatial dimensions (TorchScript passes
/// `kernel_size=2` as [2]).
std::vector<int64_t> spatial(std::vector<int64_t> values, size_t count)
{
    if (values.size() == 1 && count > 1)
        values.assign(count, values[0]);
    return values;
}

std::vector<int64_t> begin_and_end(const std::vector<int64_t>& padding)
{
    std::vector<int64_t> pads = padding;
    pads.insert(pads.end(), padding.begin(), padding.end());
    return pads;
}

/// The second operand of an arithmetic operation: a tensor, or a number as a scalar of the
/// first operand's type (a 0-dim tensor constant of another type too: `x * 0.5` in a script).
std::string operand(OnnxWriter& w, const Value* value, at::ScalarType type)
{
    if (value->type()->kind() != c10::TypeKind::TensorType)
        return w.scalar(w.number(value), type);
    if (value->node()->kind() == c10::prim::Constant && w.rank(value) == 0 &&
        w.dtype(value) != type)
        return w.scalar(value->node()->t(c10::attr::value).item<double>(), type);
    return w.name(value);
}

void identity(OnnxWriter& w, const Node* n)
{
    w.alias(n->output(), w.name(n->input(0)));
}

Handler simple(const std::string& op)
{
    return [op](OnnxWriter& w, const Node* n) { w.emit(n->output(), op, {w.name(n->input(0))}); };
}

Handler binary(const std::string& op)
{
    return [op](OnnxWriter& w, const Node* n) {
        w.emit(n->output(), op, {w.name(n->input(0)), w.name(n->input(1))});
    };
}

Handler arithmetic(const std::string& op)
{
    return [op](OnnxWriter& w, const Node* n) {
        const at::ScalarType type = w.dtype(n->input(0));
        const std::string a = w.name(n->input(0));
        std::string b = operand(w, n->input(1), type);
        const bool has_alpha = (op == "Add" || op == "Sub") && n->inputs().size() > 2;
        if (has_alpha && w.number(n->input(2)) != 1.0)
            b = w.apply("Mul", {b, w.scalar(w.number(n->input(2)), type)});
        if (op == "Div" && n->inputs().size() > 2 && !w.is_none(n->input(2)))
            w.fail(n, "division with a rounding mode is not supported");
        w.emit(n->output(), op, {a, b});
    };
}

void rsub(OnnxWriter& w, const Node* n)
{
    // other - alpha · self
    const at::ScalarType type = w.dtype(n->input(0));
    std::string self = w.name(n->input(0));
    if (n->inputs().size() > 2 && w.number(n->input(2)) != 1.0)
        self = w.apply("Mul", {self, w.scalar(w.number(n->input(2)), type)});
    w.emit(n->output(), "Sub", {operand(w, n->input(1), type), self});
}

void pow(OnnxWriter& w, const Node* n)
{
    w.emit(n->output(), "Pow",
           {w.name(n->input(0)), operand(w, n->input(1), w.dtype(n->input(0)))});
}

void clip(OnnxWriter& w, const Node* n, const Value* low, const Value* high)
{
    const at::ScalarType type = w.dtype(n->input(0));
    w.emit(n->output(), "Clip",
           {w.name(n->input(0)), low && !w.is_none(low) ? w.scalar(w.number(low), type) : "",
            high && !w.is_none(high) ? w.scalar(w.number(high), type) : ""});
}

void relu6(OnnxWriter& w, const Node* n)
{
    const at::ScalarType type = w.dtype(n->input(0));
    w.emit(n->output(), "Clip", {w.name(n->input(0)), w.scalar(0, type), w.scalar(6, type)});
}

void leaky_relu(OnnxWriter& w, const Node* n)
{
    auto& node = w.emit(n->output(), "LeakyRelu", {w.name(n->input(0))});
    set_attribute(node, "alpha", float(w.number(n->input(1))));
}

void elu(OnnxWriter& w, const Node* n)
{
    if (w.number(n->input(2)) != 1.0 || w.number(n->input(3)) != 1.0)
        w.fail(n, "ELU with a scale is not supported");
    auto& node = w.emit(n->output(), "Elu", {w.name(n->input(0))});
    set_attribute(node, "alpha", float(w.number(n->input(1))));
}

void gelu(OnnxWriter& w, const Node* n)
{
    // ONNX has Gelu only from opset 20: the exact form through Erf, the tanh form as written.
    const at::ScalarType type = w.dtype(n->input(0));
    const std::string x = w.name(n->input(0));
    const bool tanh_form = n->inputs().size() > 1 && w.text(n->input(1)) == "tanh";
    std::string inner;
    if (tanh_form) {
        const std::string cube = w.apply("Mul", {w.apply("Mul", {x, x}), x});
        const std::string sum =
            w.apply("Add", {x, w.apply("Mul", {cube, w.scalar(0.044715, type)})});
        inner = w.apply("Tanh", {w.apply("Mul", {sum, w.scalar(std::sqrt(2.0 / M_PI), type)})});
    } else {
        inner = w.apply("Erf", {w.apply("Mul", {x, w.scalar(1.0 / std::sqrt(2.0), type)})});
    }
    const std::string half_x = w.apply("Mul", {x, w.scalar(0.5, type)});
    w.emit(n->output(), "Mul", {half_x, w.apply("Add", {inner, w.scalar(1.0, type)})});
}

void silu(OnnxWriter& w, const Node* n)
{
    const std::string x = w.name(n->input(0));
    w.emit(n->output(), "Mul", {x, w.apply("Sigmoid", {x})});
}

void hardsigmoid(OnnxWriter& w, const Node* n)
{
    auto& node = w.emit(n->output(), "HardSigmoid", {w.name(n->input(0))});
    set_attribute(node, "alpha", float(1.0 / 6.0));
    set_attribute(node, "beta", 0.5f);
}

void hardswish(OnnxWriter& w, const Node* n)
{
    const std::string x = w.name(n->input(0));
    if (w.opset() >= 14) {
        w.emit(n->output(), "HardSwish", {x});
        return;
    }
    onnx::NodeProto* gate = nullptr;
    const std::string g = w.apply("HardSigmoid", {x}, &gate);
    set_attribute(*gate, "alpha", float(1.0 / 6.0));
    set_attribute(*gate, "beta", 0.5f);
    w.emit(n->output(), "Mul", {x, g});
}

Handler softmax(const std::string& op)
{
    return [op](OnnxWriter& w, const Node* n) {
        if (n->inputs().size() > 2 && !w.is_none(n->input(2)))
            w.fail(n, "softmax with a dtype is not supported");
        auto& node = w.emit(n->output(), op, {w.name(n->input(0))});
        set_attribute(node, "axis", w.integer(n->input(1)));
    };
}

/// aten::_convolution / convolution (transposed flag at 6, output_padding 7, groups 8) and
/// conv1d/2d/3d (groups at 6).
void convolution(OnnxWriter& w, const Node* n)
{
    const bool full = n->kind() == c10::aten::_convolution || n->kind() == c10::aten::convolution;
    const Value* weight = n->input(1);
    const size_t dims = size_t(w.rank(weight) - 2);
    const std::vector<int64_t> weight_sizes = w.sizes(weight);
    const std::vector<int64_t> kernel(weight_sizes.begin() + 2, weight_sizes.end());
    const auto stride = spatial(w.integers(n->input(3)), dims);
    const auto dilation = spatial(w.integers(n->input(5)), dims);
    std::vector<int64_t> padding;
    if (n->input(4)->type()->kind() == c10::TypeKind::StringType) {
        // padding='same' (stride 1): PyTorch puts the odd pixel at the end, as SAME_UPPER.
        const bool same = w.text(n->input(4)) == "same";
        std::vector<int64_t> begin, end;
        for (size_t d = 0; d < dims; ++d) {
            const int64_t total = same ? dilation[d] * (kernel[d] - 1) : 0;
            begin.push_back(total / 2);
            end.push_back(total - total / 2);
        }
        padding = begin;
        padding.insert(padding.end(), end.begin(), end.end());
    } else {
        padding = begin_and_end(spatial(w.integers(n->input(4)), dims));
    }
    const bool transposed = full && w.integer(n->input(6)) != 0;
    const int64_t groups = w.integer(n->input(full ? 8 : 6));
    std::vector<std::string> inputs = {w.name(n->input(0)), w.name(weight)};
    if (!w.is_none(n->input(2)))
        inputs.push_back(w.name(n->input(2)));
    auto& node = w.emit(n->output(), transposed ? "ConvTranspose" : "Conv", inputs);
    set_attribute(node, "kernel_shape", kernel);
    set_attribute(node, "strides", stride);
    set_attribute(node, "pads", padding);
    set_attribute(node, "dilations", dilation);
    set_attribute(node, "group", groups);
    if (transposed)
        set_attribute(node, "output_padding", spatial(w.integers(n->input(7)), dims));
}

void max_pool(OnnxWriter& w, const Node* n)
{
    const size_t dims = size_t(w.rank(n->input(0)) - 2);
    const auto kernel = spatial(w.integers(n->input(1)), dims);
    auto stride = spatial(w.integers(n->input(2)), dims);
    if (stride.empty())
        stride = kernel;
    auto& node = w.emit(n->output(0), "MaxPool", {w.name(n->input(0))});
    set_attribute(node, "kernel_shape", kernel);
    set_attribute(node, "strides", stride);
    set_attribute(node, "pads", begin_and_end(spatial(w.integers(n->input(3)), dims)));
    set_attribute(node, "dilations", spatial(w.integers(n->input(4)), dims));
    set_attribute(node, "ceil_mode", w.integer(n->input(5)));
}

void avg_pool(OnnxWriter& w, const Node* n)
{
    const size_t dims = size_t(w.rank(n->input(0)) - 2);
    const auto kernel = spatial(w.integers(n->input(1)), dims);
    auto stride = spatial(w.integers(n->input(2)), dims);
    if (stride.empty())
        stride = kernel;
    if (n->inputs().size() > 6 && !w.is_none(n->input(6)))
        w.fail(n, "average pooling with divisor_override is not supported");
    auto& node = w.emit(n->output(), "AveragePool", {w.name(n->input(0))});
    set_attribute(node, "kernel_shape", kernel);
    set_attribute(node, "strides", stride);
    set_attribute(node, "pads", begin_and_end(spatial(w.integers(n->input(3)), dims)));
    set_attribute(node, "ceil_mode", w.integer(n->input(4)));
    set_attribute(node, "count_include_pad", n->inputs().size() > 5 ? w.integer(n->input(5)) : 1);
}

Handler adaptive_pool(const std::string& global_op, const std::string& window_op)
{
    return [global_op, window_op](OnnxWriter& w, const Node* n) {
        const auto in = w.sizes(n->input(0));
        const size_t dims = in.size() - 2;
        const auto out = spatial(w.integers(n->input(1)), dims);
        bool global = true, even = true;
        std::vector<int64_t> window;
        for (size_t d = 0; d < dims; ++d) {
            global = global && out[d] == 1;
            even = even && out[d] > 0 && in[d + 2] % out[d] == 0;
            window.push_back(even ? in[d + 2] / out[d] : 1);
        }
        if (global) {
            w.emit(n->output(0), global_op, {w.name(n->input(0))});
            return;
        }
        if (!even)
            w.fail(n, "adaptive pooling to a size that does not divide the input");
        auto& node = w.emit(n->output(0), window_op, {w.name(n->input(0))});
        set_attribute(node, "kernel_shape", window);
        set_attribute(node, "strides", window);
    };
}

std::string ones_or(OnnxWriter& w, const Value* value, const std::vector<int64_t>& shape,
                    double fill)
{
    if (!w.is_none(value))
        return w.name(value);
    return w.constant(at::full(shape, fill, at::kFloat));
}

void batch_norm(OnnxWriter& w, const Node* n)
{
    if (w.integer(n->input(5)) != 0)
        w.fail(n, "batch norm in training mode");
    const int64_t channels = w.sizes(n->input(0)).at(1);
    auto& node = w.emit(n->output(), "BatchNormalization",
                        {w.name(n->input(0)), ones_or(w, n->input(1), {channels}, 1.0),
                         ones_or(w, n->input(2), {channels}, 0.0), w.name(n->input(3)),
                         w.name(n->input(4))});
    set_attribute(node, "epsilon", float(w.number(n->input(7))));
}

void layer_norm(OnnxWriter& w, const Node* n)
{
    const auto shape = w.integers(n->input(1));
    const int64_t k = int64_t(shape.size());
    const float eps = float(w.number(n->input(4)));
    const std::string x = w.name(n->input(0));
    const std::string weight = ones_or(w, n->input(2), shape, 1.0);
    const std::string bias = ones_or(w, n->input(3), shape, 0.0);
    if (w.opset() >= 17) {
        auto& node = w.emit(n->output(), "LayerNormalization", {x, weight, bias});
        set_attribute(node, "axis", -k);
        set_attribute(node, "epsilon", eps);
        return;
    }
    std::vector<int64_t> axes;
    for (int64_t i = -k; i < 0; ++i)
        axes.push_back(i);
    auto mean = [&](const std::string& of) {
        onnx::NodeProto* node = nullptr;
        const std::string out = w.apply("ReduceMean", {of}, &node);
        set_attribute(*node, "axes", axes);
        set_attribute(*node, "keepdims", int64_t(1));
        return out;
    };
    const at::ScalarType type = w.dtype(n->input(0));
    const std::string centred = w.apply("Sub", {x, mean(x)});
    const std::string variance = mean(w.apply("Mul", {centred, centred}));
    const std::string scale = w.apply("Sqrt", {w.apply("Add", {variance, w.scalar(eps, type)})});
    const std::string normal = w.apply("Div", {centred, scale});
    w.emit(n->output(), "Add", {w.apply("Mul", {normal, weight}), bias});
}

std::string transposed(OnnxWriter& w, const std::string& x)
{
    onnx::NodeProto* node = nullptr;
    const std::string out = w.apply("Transpose", {x}, &node);
    set_attribute(*node, "perm", std::vector<int64_t>{1, 0});
    return out;
}

void linear(OnnxWriter& w, const Node* n)
{
    const std::string x = w.name(n->input(0));
    const std::string weight = w.name(n->input(1));
    const bool has_bias = !w.is_none(n->input(2));
    if (w.rank(n->input(0)) == 2) {
        std::vector<std::string> inputs = {x, weight};
        if (has_bias)
            inputs.push_back(w.name(n->input(2)));
        set_attribute(w.emit(n->output(), "Gemm", inputs), "transB", int64_t(1));
        return;
    }
    const std::string product = w.apply("MatMul", {x, transposed(w, weight)});
    if (has_bias)
        w.emit(n->output(), "Add", {product, w.name(n->input(2))});
    else
        w.alias(n->output(), product);
}

void addmm(OnnxWriter& w, const Node* n)
{
    // bias + m1 · m2; C++ Linear traces as addmm(bias, x, t(weight)): Gemm with transB on the
    // weight itself keeps its PyTorch name on the initializer.
    const Value* m2 = n->input(2);
    std::string right = w.name(m2);
    int64_t trans_b = 0;
    if (m2->node()->kind() == c10::aten::t && w.rank(m2) == 2) {
        right = w.name(m2->node()->input(0));
        trans_b = 1;
    }
    auto& node = w.emit(n->output(), "Gemm", {w.name(n->input(1)), right, w.name(n->input(0))});
    set_attribute(node, "transB", trans_b);
    set_attribute(node, "beta", float(w.number(n->input(3))));
    set_attribute(node, "alpha", float(w.number(n->input(4))));
}

void transpose_t(OnnxWriter& w, const Node* n)
{
    if (w.rank(n->input(0)) < 2) {
        identity(w, n);
        return;
    }
    w.alias(n->output(), transposed(w, w.name(n->input(0))));
}

void transpose(OnnxWriter& w, const Node* n)
{
    const int64_t rank = w.rank(n->input(0));
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i)
        perm.push_back(i);
    std::swap(perm.at(size_t(normalized_dim(w.integer(n->input(1)), rank))),
              perm.at(size_t(normalized_dim(w.integer(n->input(2)), rank))));
    set_attribute(w.emit(n->output(), "Transpose", {w.name(n->input(0))}), "perm", perm);
}

void permute(OnnxWriter& w, const Node* n)
{
    const int64_t rank = w.rank(n->input(0));
    std::vector<int64_t> perm;
    for (int64_t d : w.integers(n->input(1)))
        perm.push_back(normalized_dim(d, rank));
    set_attribute(w.emit(n->output(), "Transpose", {w.name(n->input(0))}), "perm", perm);
}

void reshape(OnnxWriter& w, const Node* n)
{
    w.emit(n->output(), "Reshape", {w.name(n->input(0)), w.shape(w.shape_entries(n->input(1)))});
}

void flatten(OnnxWriter& w, const Node* n)
{
    const auto in = w.sizes(n->input(0));
    const int64_t rank = int64_t(in.size());
    if (rank == 0) {
        w.emit(n->output(), "Reshape", {w.name(n->input(0)), w.int64s({1})});
        return;
    }
    const int64_t start = normalized_dim(w.integer(n->input(1)), rank);
    const int64_t end = normalized_dim(w.integer(n->input(2)), rank);
    // Dimensions before `start` copied (0), the flattened run -1, the ones after fixed.
    std::vector<int64_t> shape(size_t(start), 0);
    shape.push_back(-1);
    for (int64_t d = end + 1; d < rank; ++d) {
        if (w.is_batch_dim(n->input(0), d))
            w.fail(n, "flattening before the batch dimension");
        shape.push_back(in[size_t(d)]);
    }
    w.emit(n->output(), "Reshape", {w.name(n->input(0)), w.int64s(shape)});
}

void unsqueeze(OnnxWriter& w, const Node* n)
{
    const int64_t dim = normalized_dim(w.integer(n->input(1)), w.rank(n->input(0)) + 1);
    w.emit(n->output(), "Unsqueeze", {w.name(n->input(0)), w.int64s({dim})});
}

void squeeze(OnnxWriter& w, const Node* n)
{
    const auto in = w.sizes(n->input(0));
    std::vector<int64_t> axes;
    if (n->inputs().size() > 1) {
        const int64_t dim = normalized_dim(w.integer(n->input(1)), int64_t(in.size()));
        if (in.at(size_t(dim)) == 1 && !w.is_batch_dim(n->input(0), dim))
            axes.push_back(dim);
    } else {
        for (size_t d = 0; d < in.size(); ++d)
            if (in[d] == 1 && !w.is_batch_dim(n->input(0), int64_t(d)))
                axes.push_back(int64_t(d));
    }
    if (axes.empty())
        identity(w, n);
    else
        w.emit(n->output(), "Squeeze", {w.name(n->input(0)), w.int64s(axes)});
}

void select(OnnxWriter& w, const Node* n)
{
    const int64_t dim = normalized_dim(w.integer(n->input(1)), w.rank(n->input(0)));
    auto& node = w.emit(n->output(), "Gather",
                        {w.name(n->input(0)), w.int64s({w.integer(n->input(2))}, true)});
    set_attribute(node, "axis", dim);
}

void slice(OnnxWriter& w, const Node* n)
{
    const int64_t dim = normalized_dim(w.integer(n->input(1)), w.rank(n->input(0)));
    const int64_t start = w.is_none(n->input(2)) ? 0 : w.integer(n->input(2));
    int64_t end = std::numeric_limits<int64_t>::max();
    if (!w.is_none(n->input(3)))
        end = w.integer(n->input(3));
    const int64_t step = n->inputs().size() > 4 ? w.integer(n->input(4)) : 1;
    w.emit(n->output(), "Slice",
           {w.name(n->input(0)), w.int64s({start}), w.int64s({end}), w.int64s({dim}),
            w.int64s({step})});
}

void split_into(OnnxWriter& w, const Node* n, const std::vector<int64_t>& sizes, int64_t dim)
{
    std::vector<std::string> outputs;
    for (size_t i = 0; i < sizes.size(); ++i)
        outputs.push_back(w.fresh("split"));
    auto& node = w.node("Split", {w.name(n->input(0)), w.int64s(sizes)}, outputs);
    set_attribute(node, "axis", dim);
    w.set_list(n->output(), outputs);
}

void chunk(OnnxWriter& w, const Node* n)
{
    const auto in = w.sizes(n->input(0));
    const int64_t dim = normalized_dim(w.integer(n->input(2)), int64_t(in.size()));
    if (w.is_batch_dim(n->input(0), dim))
        w.fail(n, "splitting the batch dimension");
    const int64_t total = in[size_t(dim)];
    const int64_t pieces = w.integer(n->input(1));
    const int64_t each = (total + pieces - 1) / pieces;
    std::vector<int64_t> sizes;
    for (int64_t left = total; left > 0; left -= each)
        sizes.push_back(std::min(each, left));
    split_into(w, n, sizes, dim);
}

void split(OnnxWriter& w, const Node* n)
{
    const auto in = w.sizes(n->input(0));
    const int64_t dim = normalized_dim(w.integer(n->input(2)), int64_t(in.size()));
    if (w.is_batch_dim(n->input(0), dim))
        w.fail(n, "splitting the batch dimension");
    std::vector<int64_t> sizes;
    if (n->input(1)->type()->kind() == c10::TypeKind::IntType) {
        const int64_t each = w.integer(n->input(1));
        for (int64_t left = in [size_t(dim)]; left > 0; left -= each)
            sizes.push_back(std::min(each, left));
    } else {
        sizes = w.integers(n->input(1));
    }
    split_into(w, n, sizes, dim);
}

void list_unpack(OnnxWriter& w, const Node* n)
{
    const auto names = w.list(n->input(0));
    if (names.size() != n->outputs().size())
        w.fail(n, "a list unpacked into another number of tensors");
    for (size_t i = 0; i < names.size(); ++i)
        w.alias(n->output(i), names[i]);
}

void cat(OnnxWriter& w, const Node* n)
{
    const auto names = w.list(n->input(0));
    const int64_t rank = w.rank(n->output());
    set_attribute(w.emit(n->output(), "Concat", names), "axis",
                  normalized_dim(w.integer(n->input(1)), rank));
}

void stack(OnnxWriter& w, const Node* n)
{
    const int64_t dim = normalized_dim(w.integer(n->input(1)), w.rank(n->output()));
    std::vector<std::string> expanded;
    for (const auto& name : w.list(n->input(0)))
        expanded.push_back(w.apply("Unsqueeze", {name, w.int64s({dim})}));
    set_attribute(w.emit(n->output(), "Concat", expanded), "axis", dim);
}

Handler reduce(const std::string& op)
{
    return [op](OnnxWriter& w, const Node* n) {
        const std::string x = w.name(n->input(0));
        const bool whole = n->inputs().size() <= 2; // mean(x, dtype)
        std::vector<int64_t> axes;
        int64_t keep = 0;
        if (!whole) {
            if (!w.is_none(n->input(1)))
                axes = w.integers(n->input(1));
            keep = w.integer(n->input(2));
            if (n->inputs().size() > 3 && !w.is_none(n->input(3)))
                w.fail(n, "a reduction with a dtype is not supported");
        }
        // ReduceSum takes its axes as an input from opset 13, ReduceMean until opset 18 not.
        std::vector<std::string> inputs = {x};
        if (op == "ReduceSum" && !axes.empty())
            inputs.push_back(w.int64s(axes));
        auto& node = w.emit(n->output(), op, inputs);
        if (op != "ReduceSum" && !axes.empty())
            set_attribute(node, "axes", axes);
        set_attribute(node, "keepdims", keep);
    };
}

void filled(OnnxWriter& w, const Node* n, double value, const std::string& shape)
{
    auto& node = w.emit(n->output(), "ConstantOfShape", {shape});
    const at::ScalarType type = w.dtype(n->output());
    // ConstantOfShape wants its fill as a one-element tensor attribute.
    auto* attribute = node.add_attribute();
    attribute->set_name("value");
    attribute->set_type(onnx::AttributeProto::TENSOR);
    auto* tensor = attribute->mutable_t();
    const bool integral = type == at::kLong;
    const at::Tensor fill = at::full({1}, value, integral ? at::kLong : at::kFloat);
    tensor->set_data_type(integral ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT);
    tensor->add_dims(1);
    tensor->set_raw_data(
        std::string(static_cast<const char*>(fill.data_ptr()), fill.element_size()));
}

Handler constant_of_shape(double value)
{
    return [value](OnnxWriter& w, const Node* n) {
        filled(w, n, value, w.shape(w.shape_entries(n->input(0))));
    };
}

Handler constant_like(double value)
{
    return [value](OnnxWriter& w, const Node* n) {
        filled(w, n, value, w.apply("Shape", {w.name(n->input(0))}));
    };
}

/// fill_(x, v) replaces every element: a constant of x's shape (C++ `1 - t` traces as
/// empty_like(t).fill_(1) - t).
void fill(OnnxWriter& w, const Node* n)
{
    const Value* like = n->input(0);
    if (like->node()->kind() == c10::aten::empty_like)
        like = like->node()->input(0);
    filled(w, n, w.number(n->input(1)), w.apply("Shape", {w.name(like)}));
}

void dropout(OnnxWriter& w, const Node* n)
{
    if (w.integer(n->input(2)) != 0)
        w.fail(n, "dropout in training mode");
    identity(w, n);
}

void to(OnnxWriter& w, const Node* n)
{
    const at::ScalarType from = w.dtype(n->input(0)), into = w.dtype(n->output());
    if (from == into) {
        identity(w, n);
        return;
    }
    onnx::TensorProto::DataType type = onnx::TensorProto::FLOAT;
    if (into == at::kLong)
        type = onnx::TensorProto::INT64;
    else if (into == at::kBool)
        type = onnx::TensorProto::BOOL;
    else if (into != at::kFloat)
        w.fail(n, "conversion to this type is not supported");
    set_attribute(w.emit(n->output(), "Cast", {w.name(n->input(0))}), "to", int64_t(type));
}

void embedding(OnnxWriter& w, const Node* n)
{
    set_attribute(w.emit(n->output(), "Gather", {w.name(n->input(0)), w.name(n->input(1))}), "axis",
                  int64_t(0));
}

void expand(OnnxWriter& w, const Node* n)
{
    // PyTorch's -1 keeps a size; ONNX Expand broadcasts, where 1 keeps it.
    auto entries = w.shape_entries(n->input(1));
    for (auto& e : entries)
        if (e.per_sample == 0 && e.value == -1)
            e.value = 1;
    w.emit(n->output(), "Expand", {w.name(n->input(0)), w.shape(entries)});
}

void expand_as(OnnxWriter& w, const Node* n)
{
    w.emit(n->output(), "Expand", {w.name(n->input(0)), w.apply("Shape", {w.name(n->input(1))})});
}

/// upsample_nearest / upsample_bilinear: Resize to the traced output's spatial size, the batch
/// and channels taken from the input at run time.
Handler resize(const std::string& mode)
{
    return [mode](OnnxWriter& w, const Node* n) {
        const auto out = w.sizes(n->output());
        const std::string x = w.name(n->input(0));
        const std::string leading =
            w.apply("Slice", {w.apply("Shape", {x}), w.int64s({0}), w.int64s({2}), w.int64s({0})});
        onnx::NodeProto* concat = nullptr;
        const std::string sizes =
            w.apply("Concat", {leading, w.int64s({out.begin() + 2, out.end()})}, &concat);
        set_attribute(*concat, "axis", int64_t(0));
        auto& node = w.emit(n->output(), "Resize", {x, "", "", sizes});
        set_attribute(node, "mode", mode);
        if (mode == "nearest") {
            set_attribute(node, "coordinate_transformation_mode", std::string("asymmetric"));
            set_attribute(node, "nearest_mode", std::string("floor"));
            return;
        }
        const bool align_corners = w.integer(n->input(2)) != 0;
        set_attribute(node, "coordinate_transformation_mode",
                      std::string(align_corners ? "align_corners" : "pytorch_half_pixel"));
    };
}

const std::unordered_map<std::string, Handler>& handlers()
{
    static const std::unordered_map<std::string, Handler> table = {
        {"aten::_convolution", convolution},
        {"aten::convolution", convolution},
        {"aten::conv1d", convolution},
        {"aten::conv2d", convolution},
        {"aten::conv3d", convolution},
        {"aten::linear", linear},
        {"aten::addmm", addmm},
        {"aten::matmul", binary("MatMul")},
        {"aten::mm", binary("MatMul")},
        {"aten::bmm", binary("MatMul")},
        {"aten::t", transpose_t},
        {"aten::transpose", transpose},
        {"aten::permute", permute},
        {"aten::batch_norm", batch_norm},
        {"aten::layer_norm", layer_norm},
        {"aten::relu", simple("Relu")},
        {"aten::sigmoid", simple("Sigmoid")},
        {"aten::tanh", simple("Tanh")},
        {"aten::exp", simple("Exp")},
        {"aten::log", simple("Log")},
        {"aten::sqrt", simple("Sqrt")},
        {"aten::neg", simple("Neg")},
        {"aten::abs", simple("Abs")},
        {"aten::erf", simple("Erf")},
        {"aten::reciprocal", simple("Reciprocal")},
        {"aten::gelu", gelu},
        {"aten::silu", silu},
        {"aten::hardsigmoid", hardsigmoid},
        {"aten::hardswish", hardswish},
        {"aten::relu6", relu6},
        {"aten::hardtanh",
         [](OnnxWriter& w, const Node* n) { clip(w, n, n->input(1), n->input(2)); }},
        {"aten::clamp", [](OnnxWriter& w, const Node* n) { clip(w, n, n->input(1), n->input(2)); }},
        {"aten::leaky_relu", leaky_relu},
        {"aten::elu", elu},
        {"aten::softmax", softmax("Softmax")},
        {"aten::log_softmax", softmax("LogSoftmax")},
        {"aten::add", arithmetic("Add")},
        {"aten::sub", arithmetic("Sub")},
        {"aten::mul", arithmetic("Mul")},
        {"aten::div", arithmetic("Div")},
        {"aten::rsub", rsub},
        {"aten::pow", pow},
        {"aten::max_pool1d", max_pool},
        {"aten::max_pool2d", max_pool},
        {"aten::max_pool3d", max_pool},
        {"aten::avg_pool1d", avg_pool},
        {"aten::avg_pool2d", avg_pool},
        {"aten::avg_pool3d", avg_pool},
        {"aten::adaptive_avg_pool1d", adaptive_pool("GlobalAveragePool", "AveragePool")},
        {"aten::adaptive_avg_pool2d", adaptive_pool("GlobalAveragePool", "AveragePool")},
        {"aten::adaptive_avg_pool3d", adaptive_pool("GlobalAveragePool", "AveragePool")},
        {"aten::adaptive_max_pool2d", adaptive_pool("GlobalMaxPool", "MaxPool")},
        {"aten::upsample_nearest1d", resize("nearest")},
        {"aten::upsample_nearest2d", resize("nearest")},
        {"aten::upsample_nearest3d", resize("nearest")},
        {"aten::upsample_linear1d", resize("linear")},
        {"aten::upsample_bilinear2d", resize("linear")},
        {"aten::upsample_trilinear3d", resize("linear")},
        {"aten::view", reshape},
        {"aten::reshape", reshape},
        {"aten::flatten", flatten},
        {"aten::unsqueeze", unsqueeze},
        {"aten::squeeze", squeeze},
        {"aten::select", select},
        {"aten::slice", slice},
        {"aten::chunk", chunk},
        {"aten::unsafe_chunk", chunk},
        {"aten::split", split},
        {"aten::unsafe_split", split},
        {"aten::split_with_sizes", split},
        {"prim::ListUnpack", list_unpack},
        {"aten::cat", cat},
        {"aten::concat", cat},
        {"aten::stack", stack},
        {"aten::mean", reduce("ReduceMean")},
        {"aten::sum", reduce("ReduceSum")},
        {"aten::zeros", constant_of_shape(0.0)},
        {"aten::ones", constant_of_shape(1.0)},
        {"aten::zeros_like", constant_like(0.0)},
        {"aten::empty_like", constant_like(0.0)},
        {"aten::fill", fill},
        {"aten::ones_like", constant_like(1.0)},
        {"aten::dropout", dropout},
        {"aten::feature_dropout", dropout},
        {"aten::alpha_dropout", dropout},
        {"aten::contiguous", identity},
        {"aten::clone", identity},
        {"aten::detach", identity},
        {"aten::to", to},
        {"aten::type_as", to},
        {"aten::embedding", embedding},
        {"aten::expand", expand},
        {"aten::expand_as", expand_as},
    };
    return table;
}

} // namespace

void write_onnx_node(OnnxWriter& writer, const Node* node)
{
    const auto kind = node->kind();
    // Constants and lists are read by the operations that use them; tuples and dicts only
    // gather the outputs.
    if (kind == c10::prim::Constant || kind == c10::prim::ListConstruct ||
        kind == c10::prim::TupleConstruct || kind == c10::prim::DictConstruct)
        return;
    std::string name = kind.toQualString();
    const auto& table = handlers();
    auto found = table.find(name);
    if (found == table.end() && name.size() > 1 && name.back() == '_')
        found = table.find(name.substr(0, name.size() - 1)); // relu_, add_, hardtanh_
    if (found == table.end())
        writer.fail(node, "ONNX export has no translation for this operation");
    found->second(writer, node);
}

} // namespace prunelab
