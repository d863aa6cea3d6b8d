#include "engine/interop/script_attention.h"

#include <torch/csrc/jit/ir/constants.h>

#include <utility>
#include <vector>

namespace prunelab {
namespace jit = torch::jit;

std::optional<int64_t> constant_int(jit::Value* value)
{
    const auto constant = jit::toIValue(value);
    if (!constant || !constant->isInt())
        return std::nullopt;
    return constant->toInt();
}

namespace {

/// `value`'s node when it is of `kind` and `value` feeds only one node.
jit::Node* single_use_of(jit::Value* value, c10::Symbol kind)
{
    return value->node()->kind() == kind && value->uses().size() == 1 ? value->node() : nullptr;
}

bool transposes(jit::Node* node, int64_t a, int64_t b)
{
    const auto x = constant_int(node->input(1)), y = constant_int(node->input(2));
    return x && y && ((*x == a && *y == b) || (*x == b && *y == a));
}

/// transpose(1, 2)(view(P, [n, t, -1, d])): the projection P and the head width d.
std::optional<std::pair<jit::Value*, int64_t>> head_split(jit::Value* value,
                                                          std::vector<jit::Node*>& steps)
{
    jit::Node* transpose = single_use_of(value, c10::aten::transpose);
    if (!transpose || !transposes(transpose, 1, 2))
        return std::nullopt;
    jit::Value* split = transpose->input(0);
    jit::Node* view = single_use_of(split, c10::aten::view);
    if (!view)
        view = single_use_of(split, c10::aten::reshape);
    if (!view || view->input(1)->node()->kind() != c10::prim::ListConstruct)
        return std::nullopt;
    const auto sizes = view->input(1)->node()->inputs();
    if (sizes.size() != 4)
        return std::nullopt;
    const auto width = constant_int(sizes[3]);
    if (!width || *width <= 0)
        return std::nullopt;
    steps.push_back(transpose);
    steps.push_back(view);
    return std::make_pair(view->input(0), *width);
}

void match(jit::Node* merge, ScriptAttentions& found)
{
    if ((merge->kind() != c10::aten::reshape && merge->kind() != c10::aten::view) ||
        merge->input(1)->node()->kind() != c10::prim::ListConstruct ||
        merge->input(1)->node()->inputs().size() != 3 ||
        constant_int(merge->input(1)->node()->inputs()[2]) != -1)
        return;
    std::vector<jit::Node*> steps;
    jit::Node* back = single_use_of(merge->input(0), c10::aten::transpose);
    if (!back || !transposes(back, 1, 2))
        return;
    jit::Node* weighted = single_use_of(back->input(0), c10::aten::matmul);
    if (!weighted)
        return;
    steps = {back, weighted};
    jit::Value* probabilities = weighted->input(0);
    jit::Node* softmax = single_use_of(probabilities, c10::aten::softmax);
    if (!softmax || constant_int(softmax->input(1)) != -1)
        return;
    steps.push_back(softmax);
    jit::Value* logits = softmax->input(0);
    for (auto scale : {c10::aten::div, c10::aten::mul})
        if (jit::Node* scaled = single_use_of(logits, scale);
            scaled && scaled->input(1)->type()->kind() != c10::TypeKind::TensorType) {
            steps.push_back(scaled);
            logits = scaled->input(0);
            break;
        }
    jit::Node* product = single_use_of(logits, c10::aten::matmul);
    if (!product)
        return;
    steps.push_back(product);
    jit::Node* keys = single_use_of(product->input(1), c10::aten::transpose);
    if (!keys || !(transposes(keys, -2, -1) || transposes(keys, 2, 3)))
        return;
    steps.push_back(keys);
    const auto q = head_split(product->input(0), steps);
    const auto k = head_split(keys->input(0), steps);
    const auto v = head_split(weighted->input(1), steps);
    if (!q || !k || !v || q->second != k->second || k->second != v->second)
        return;
    found.by_join[merge] = {q->first, k->first, v->first, q->second};
    found.steps.insert(steps.begin(), steps.end());
}

} // namespace

ScriptAttentions find_script_attentions(jit::Graph& graph)
{
    ScriptAttentions found;
    for (jit::Node* node : graph.nodes())
        match(node, found);
    return found;
}

} // namespace prunelab
