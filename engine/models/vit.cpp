#include "engine/models/vit.h"

#include "engine/core/error.h"

#include <torch/nn/functional/activation.h>

#include <ATen/ATen.h>

#include <cmath>

namespace prunelab {
namespace nn = torch::nn;

namespace {

/// LayerNorm over the last dimension at the width its weight has (a fixed normalized_shape
/// would not follow a compaction).
at::Tensor layer_norm(const nn::LayerNorm& norm, const at::Tensor& x)
{
    return at::layer_norm(x, {norm->weight.size(0)}, norm->weight, norm->bias, 1e-6);
}

nn::LayerNorm make_norm(int64_t dim)
{
    return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6));
}

} // namespace

TransformerBlock::TransformerBlock(int64_t dim, int64_t attention_width, int64_t head_dim,
                                   int64_t hidden)
    : m_head_dim(head_dim)
{
    if (attention_width % head_dim != 0)
        throw Error("an attention width of " + std::to_string(attention_width) +
                    " is not a whole number of " + std::to_string(head_dim) + "-wide heads");
    m_norm1 = register_module("norm1", make_norm(dim));
    auto attn = register_module("attn", std::make_shared<nn::Module>());
    m_q = attn->register_module("q", nn::Linear(dim, attention_width));
    m_k = attn->register_module("k", nn::Linear(dim, attention_width));
    m_v = attn->register_module("v", nn::Linear(dim, attention_width));
    m_proj = attn->register_module("proj", nn::Linear(attention_width, dim));
    m_norm2 = register_module("norm2", make_norm(dim));
    auto mlp = register_module("mlp", std::make_shared<nn::Module>());
    m_fc1 = mlp->register_module("fc1", nn::Linear(dim, hidden));
    m_fc2 = mlp->register_module("fc2", nn::Linear(hidden, dim));
}

at::Tensor TransformerBlock::forward(const at::Tensor& x)
{
    const int64_t batch = x.size(0), tokens = x.size(1);
    const at::Tensor y = layer_norm(m_norm1, x);
    auto split_heads = [&](nn::Linear& layer) {
        const at::Tensor out = traced(*layer, y, layer->forward(y));
        return out.view({batch, tokens, -1, m_head_dim}).transpose(1, 2); // [N, H, T, d]
    };
    const at::Tensor q = split_heads(m_q), k = split_heads(m_k), v = split_heads(m_v);
    const at::Tensor weights =
        at::softmax(at::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(m_head_dim)), -1);
    const at::Tensor heads = at::matmul(weights, v).transpose(1, 2).reshape({batch, tokens, -1});
    const at::Tensor attended = x + traced(*m_proj, heads, m_proj->forward(heads));
    const at::Tensor z = layer_norm(m_norm2, attended);
    const at::Tensor hidden = at::gelu(traced(*m_fc1, z, m_fc1->forward(z)));
    return attended + traced(*m_fc2, hidden, m_fc2->forward(hidden));
}

int TransformerBlock::channel_graph(ChannelGraph& g, const std::string& prefix, int x) const
{
    const int y = g.layer_norm(prefix + "norm1", x);
    const int q = g.layer(prefix + "attn.q", y), k = g.layer(prefix + "attn.k", y),
              v = g.layer(prefix + "attn.v", y);
    const int heads = g.attention(prefix + "attn", q, k, v, m_q->weight.size(0) / m_head_dim);
    x = g.add(x, g.layer(prefix + "attn.proj", heads));
    const int z = g.layer_norm(prefix + "norm2", x);
    // GELU keeps a zero neuron zero, so fc1's neurons go with fc2's columns.
    return g.add(x, g.layer(prefix + "mlp.fc2", g.layer(prefix + "mlp.fc1", z)));
}

VitTiny::VitTiny(ModelSpec spec) : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    if (s.input_shape.size() != 3 || s.input_shape[1] % patch != 0 || s.input_shape[2] % patch != 0)
        throw Error("model '" + s.name + "' needs a [C, H, W] input with H and W multiples of " +
                    std::to_string(patch) + ", not " + format_shape(s.input_shape));
    if (s.num_classes < 2)
        throw Error("model '" + s.name + "' needs at least 2 classes");
    const int64_t tokens = (s.input_shape[1] / patch) * (s.input_shape[2] / patch);
    m_patch_embed = register_module(
        "patch_embed", nn::Conv2d(nn::Conv2dOptions(s.input_shape[0], dim, patch).stride(patch)));
    m_pos_embed = register_parameter("pos_embed", at::randn({1, tokens, dim}) * 0.02);
    auto blocks = register_module("blocks", std::make_shared<nn::Module>());
    for (int64_t i = 0; i < depth; ++i) {
        const std::string prefix = "blocks." + std::to_string(i) + ".";
        m_blocks.push_back(blocks->register_module(
            std::to_string(i),
            std::make_shared<TransformerBlock>(dim, s.width(prefix + "attn.q", heads * head_dim),
                                               head_dim, s.width(prefix + "mlp.fc1", hidden))));
    }
    m_norm = register_module("norm", make_norm(dim));
    m_head = register_module("head", nn::Linear(dim, s.num_classes));
}

at::Tensor VitTiny::forward(at::Tensor x)
{
    x = traced(*m_patch_embed, x, m_patch_embed->forward(x));
    x = x.flatten(2).transpose(1, 2) + m_pos_embed; // [N, tokens, dim]
    for (const auto& block : m_blocks)
        x = block->forward(x);
    x = layer_norm(m_norm, x).mean(1);
    return traced(*m_head, x, m_head->forward(x));
}

ChannelGraph VitTiny::channel_graph() const
{
    ChannelGraph g;
    int x = g.tokens(g.layer("patch_embed", g.input()));
    for (size_t i = 0; i < m_blocks.size(); ++i)
        x = m_blocks[i]->channel_graph(g, "blocks." + std::to_string(i) + ".", x);
    g.output(g.layer("head", g.layer_norm("norm", x)));
    return g;
}

} // namespace prunelab
