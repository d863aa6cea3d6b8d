#include "engine/models/recurrent.h"

#include "engine/core/error.h"

#include <ATen/ATen.h>

namespace prunelab {
namespace nn = torch::nn;

RecurrentLayer::RecurrentLayer(Cell cell, int64_t inputs, int64_t units) : m_cell(cell)
{
    m_ih = register_module("ih", nn::Linear(inputs, gates() * units));
    m_hh = register_module("hh", nn::Linear(units, gates() * units));
}

at::Tensor RecurrentLayer::forward(const at::Tensor& x)
{
    const int64_t batch = x.size(0), steps = x.size(1), width = m_hh->weight.size(1);
    // Every step's input projection at once; only the recurrent part runs step by step.
    const at::Tensor projected = traced(*m_ih, x, m_ih->forward(x));
    at::Tensor h = at::zeros({batch, width}, x.options());
    at::Tensor c = at::zeros({batch, width}, x.options());
    for (int64_t t = 0; t < steps; ++t) {
        const at::Tensor from_input = projected.select(1, t);
        const at::Tensor from_hidden = traced(*m_hh, h, m_hh->forward(h));
        if (m_cell == Cell::Lstm) {
            const auto g = (from_input + from_hidden).chunk(4, 1);
            c = at::sigmoid(g[1]) * c + at::sigmoid(g[0]) * at::tanh(g[2]);
            h = at::sigmoid(g[3]) * at::tanh(c);
        } else {
            const auto a = from_input.chunk(3, 1), b = from_hidden.chunk(3, 1);
            const at::Tensor reset = at::sigmoid(a[0] + b[0]);
            const at::Tensor update = at::sigmoid(a[1] + b[1]);
            const at::Tensor candidate = at::tanh(a[2] + reset * b[2]);
            h = (1 - update) * candidate + update * h;
        }
    }
    return h;
}

RecurrentNet::RecurrentNet(ModelSpec spec, RecurrentLayer::Cell cell) : PrunableNet(std::move(spec))
{
    const auto& s = this->spec();
    if (s.input_shape.size() != 3)
        throw Error("model '" + s.name + "' needs a [C, H, W] input (H steps of C·W features)");
    if (s.num_classes < 2)
        throw Error("model '" + s.name + "' needs at least 2 classes");
    // A compacted layer's width is hh's input width; spec.widths records the gate rows.
    const int64_t gates = cell == RecurrentLayer::Cell::Lstm ? 4 : 3;
    const int64_t width = s.width("rnn.hh", gates * units) / gates;
    m_rnn = register_module(
        "rnn", std::make_shared<RecurrentLayer>(cell, s.input_shape[0] * s.input_shape[2], width));
    m_fc = register_module("fc", nn::Linear(width, s.num_classes));
}

at::Tensor RecurrentNet::forward(at::Tensor x)
{
    // [N, C, H, W] → [N, H, C·W]: row r of the image is step r.
    x = x.permute({0, 2, 1, 3}).reshape({x.size(0), x.size(2), -1});
    const at::Tensor h = m_rnn->forward(x);
    return traced(*m_fc, h, m_fc->forward(h));
}

ChannelGraph RecurrentNet::channel_graph() const
{
    ChannelGraph g;
    // The input's channels become features of every step: not prunable, like any input.
    const int steps = g.tokens(g.input());
    g.output(g.layer("fc", g.recurrent("rnn", steps, m_rnn->gates())));
    return g;
}

} // namespace prunelab
