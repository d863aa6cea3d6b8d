#pragma once

#include "engine/models/models.h"

#include <torch/nn/modules/normalization.h>

namespace prunelab {

/// One pre-norm transformer block: x + proj(attention(norm1(x))), then x +
/// fc2(gelu(fc1(norm2(x)))). q, k and v are separate Linear layers whose rows hold the heads side
/// by side, `head_dim` rows each; the head count follows from q's width, so a compacted block
/// (fewer heads, fewer MLP neurons) runs without being told. Names as timm's ViT: norm1,
/// attn.q/k/v/proj, norm2, mlp.fc1/fc2.
class TransformerBlock : public torch::nn::Module
{
public:
    TransformerBlock(int64_t dim, int64_t attention_width, int64_t head_dim, int64_t hidden);
    at::Tensor forward(const at::Tensor& x);
    /// Adds the block's ops to a channel graph: `x` in, the residual stream out.
    int channel_graph(ChannelGraph& g, const std::string& prefix, int x) const;

private:
    int64_t m_head_dim;
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Linear m_q{nullptr}, m_k{nullptr}, m_v{nullptr}, m_proj{nullptr};
    torch::nn::Linear m_fc1{nullptr}, m_fc2{nullptr};
};

/// `vit-tiny`: a Vision Transformer for small images. A 4×4-patch embedding (Conv2d, stride 4)
/// into 64 channels plus learned position embeddings, 4 pre-norm blocks of 4 heads (16 wide)
/// and a 128-neuron MLP, a final LayerNorm, mean over tokens, Linear head. Input sides must
/// be multiples of 4 (28×28 Fashion-MNIST gives 49 tokens).
class VitTiny : public PrunableNet
{
public:
    static constexpr int64_t patch = 4, dim = 64, depth = 4, heads = 4, head_dim = 16, hidden = 128;

    explicit VitTiny(ModelSpec spec);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    torch::nn::Conv2d m_patch_embed{nullptr};
    at::Tensor m_pos_embed;
    std::vector<std::shared_ptr<TransformerBlock>> m_blocks;
    torch::nn::LayerNorm m_norm{nullptr};
    torch::nn::Linear m_head{nullptr};
};

} // namespace prunelab
