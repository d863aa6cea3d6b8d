#pragma once

// How channels flow through a model, as much as structured pruning needs to know: which layer
// makes a tensor's channels, what normalizes them, where they are added or concatenated, and
// who consumes them. Built-in models write theirs by hand; TorchScript models get one from
// their forward graph. Free of LibTorch: plain names and value ids.

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

class ChannelGraph
{
public:
    enum class OpKind
    {
        Layer,      ///< Conv2d (groups 1) or Linear named `name`: new channels out, input consumed
        Norm,       ///< BatchNorm `name` over its input's channels
        Depthwise,  ///< a grouped Conv2d `name` with `groups`: one filter per input channel
                    ///< when groups equals the channel count, so channels pass through it
        Mul,        ///< elementwise product of two tensors (a squeeze-excitation gate times
                    ///< its input): their channels become one, like Add
        Gate,       ///< sigmoid-like: channels stay in place, but zero becomes non-zero, so
                    ///< only a product with zero-keeping channels may read it
        Add,        ///< elementwise sum of two tensors: their channels become one
        Cat,        ///< concatenation along channels
        Flatten,    ///< [N, C, H, W] → [N, C·H·W]: each channel becomes H·W features
        Tokens,     ///< [N, C, H, W] → [N, H·W, C]: positions become tokens, channels the last
                    ///< dimension (a patch embedding)
        LayerNorm,  ///< LayerNorm `name` over the last dimension: its statistics span every
                    ///< channel, so removing one changes the others' outputs
        Recurrent,  ///< an LSTM or GRU layer `name` over a [N, steps, features] input, made of
                    ///< Linear `name`.ih (inputs → gates) and `name`.hh (hidden → gates) with
                    ///< `groups` gates (4 or 3) stacked in their rows; out: the hidden state
        Attention,  ///< multi-head attention over three tensors q, k, v (inputs, in that
                    ///< order) with `groups` heads: a head is a block of consecutive features
                    ///< of each, and the output holds the heads' values side by side
        GlobalPool, ///< [N, C, H, W] → [N, C] (mean over positions)
        Opaque,     ///< anything else that takes these channels: `name` is the op
    };
    struct Op
    {
        OpKind kind;
        std::string name;
        std::vector<int> inputs; ///< value ids
        int output = -1;         ///< value id
        int64_t groups = 1;      ///< Depthwise: groups; Attention: heads; Recurrent: gates
        int64_t head_width = 0;  ///< Attention with groups 0: the width of a head
    };

    /// The model's input (value 0).
    int input() const { return 0; }
    int layer(const std::string& name, int in) { return push(OpKind::Layer, name, {in}); }
    int norm(const std::string& name, int in) { return push(OpKind::Norm, name, {in}); }
    int depthwise(const std::string& name, int in, int64_t groups)
    {
        const int out = push(OpKind::Depthwise, name, {in});
        m_ops.back().groups = groups;
        return out;
    }
    int mul(int a, int b) { return push(OpKind::Mul, "mul", {a, b}); }
    int gate(const std::string& op, int in) { return push(OpKind::Gate, op, {in}); }
    int add(int a, int b) { return push(OpKind::Add, "add", {a, b}); }
    int cat(std::vector<int> ins) { return push(OpKind::Cat, "cat", std::move(ins)); }
    int flatten(int in) { return push(OpKind::Flatten, "flatten", {in}); }
    int tokens(int in) { return push(OpKind::Tokens, "tokens", {in}); }
    int layer_norm(const std::string& name, int in) { return push(OpKind::LayerNorm, name, {in}); }
    int recurrent(const std::string& name, int in, int64_t gates)
    {
        const int out = push(OpKind::Recurrent, name, {in});
        m_ops.back().groups = gates;
        return out;
    }
    /// `heads` heads, or (heads 0) as many as q's width holds `head_width`-wide heads.
    int attention(const std::string& name, int q, int k, int v, int64_t heads,
                  int64_t head_width = 0)
    {
        const int out = push(OpKind::Attention, name, {q, k, v});
        m_ops.back().groups = heads;
        m_ops.back().head_width = head_width;
        return out;
    }
    int global_pool(int in) { return push(OpKind::GlobalPool, "mean", {in}); }
    int opaque(const std::string& op, std::vector<int> ins)
    {
        return push(OpKind::Opaque, op, std::move(ins));
    }
    /// Marks a value as (part of) the model's output: its channels cannot change.
    void output(int value) { m_outputs.push_back(value); }

    const std::vector<Op>& ops() const { return m_ops; }
    const std::vector<int>& outputs() const { return m_outputs; }
    int value_count() const { return m_values; }

private:
    int push(OpKind kind, const std::string& name, std::vector<int> ins)
    {
        m_ops.push_back({kind, name, std::move(ins), m_values});
        return m_values++;
    }

    std::vector<Op> m_ops;
    std::vector<int> m_outputs;
    int m_values = 1; ///< value 0 is the input
};

} // namespace prunelab
