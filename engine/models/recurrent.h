#pragma once

#include "engine/models/models.h"

namespace prunelab {

/// An LSTM or GRU layer as two Linear layers, `ih` (inputs → gates) and `hh` (hidden state →
/// gates), their rows the gates stacked in PyTorch's order (LSTM: input, forget, cell, output;
/// GRU: reset, update, new) — the same numbers as nn.LSTM's weight_ih_l0/bias_ih_l0 and
/// weight_hh_l0/bias_hh_l0. The hidden width follows from hh's input width, so a compacted
/// layer (fewer units) runs without being told.
class RecurrentLayer : public torch::nn::Module
{
public:
    enum class Cell
    {
        Lstm,
        Gru
    };
    RecurrentLayer(Cell cell, int64_t inputs, int64_t units);
    /// [N, steps, inputs] → the last hidden state [N, units].
    at::Tensor forward(const at::Tensor& x);
    int64_t gates() const { return m_cell == Cell::Lstm ? 4 : 3; }

private:
    Cell m_cell;
    torch::nn::Linear m_ih{nullptr}, m_hh{nullptr};
};

/// `lstm` and `gru`: an image's rows as a sequence (28 steps of 28 features for Fashion-MNIST),
/// one recurrent layer of 128 units (`rnn`), its last hidden state → Linear `fc`.
class RecurrentNet : public PrunableNet
{
public:
    static constexpr int64_t units = 128;

    RecurrentNet(ModelSpec spec, RecurrentLayer::Cell cell);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    std::shared_ptr<RecurrentLayer> m_rnn;
    torch::nn::Linear m_fc{nullptr};
};

} // namespace prunelab
