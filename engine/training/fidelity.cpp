#include "engine/training/fidelity.h"

#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace prunelab {
namespace {

class EvalMode
{
public:
    explicit EvalMode(PrunableNet& net) : m_net(net), m_training(net.is_training()) { net.eval(); }
    ~EvalMode() { m_net.train(m_training); }
    EvalMode(const EvalMode&) = delete;
    EvalMode& operator=(const EvalMode&) = delete;

private:
    PrunableNet& m_net;
    bool m_training;
};

void check_same_outputs(const std::vector<at::Tensor>& got, const std::vector<at::Tensor>& want)
{
    if (got.size() != want.size())
        throw Error("the model returns " + std::to_string(got.size()) +
                    " outputs but its reference " + std::to_string(want.size()));
    for (size_t i = 0; i < got.size(); ++i)
        if (got[i].sizes() != want[i].sizes())
            throw Error("the model's output " + std::to_string(i + 1) + " is " +
                        format_shape(got[i].sizes().vec()) + " but its reference's is " +
                        format_shape(want[i].sizes().vec()));
}

} // namespace

at::Tensor flatten_outputs(const std::vector<at::Tensor>& outputs)
{
    std::vector<at::Tensor> rows;
    for (const auto& output : outputs)
        rows.push_back(output.reshape({output.size(0), -1}).to(at::kDouble));
    return at::cat(rows, 1);
}

Fidelity measure_fidelity(PrunableNet& net, PrunableNet& reference, const Dataset& data,
                          int64_t batch)
{
    if (data.size() == 0)
        throw Error("data set '" + data.name + "' is empty");
    EvalMode net_mode(net);
    EvalMode reference_mode(reference);
    at::NoGradGuard no_grad;
    const bool classifier = net.is_classifier() && reference.is_classifier();
    double error_sq = 0.0, reference_sq = 0.0, cosine_sum = 0.0;
    int64_t agreeing = 0;
    for (int64_t begin = 0; begin < data.size(); begin += batch) {
        const at::Tensor x = data.images.slice(0, begin, std::min(begin + batch, data.size()));
        const auto got = net.forward_all(x);
        const auto want = reference.forward_all(x);
        check_same_outputs(got, want);
        const at::Tensor y = flatten_outputs(got), r = flatten_outputs(want);
        error_sq += (y - r).pow(2).sum().item<double>();
        reference_sq += r.pow(2).sum().item<double>();
        // A sample whose outputs are both zero is reproduced exactly: cosine 1, not 0/0.
        const at::Tensor dot = (y * r).sum(1);
        const at::Tensor norms = y.norm(2, 1) * r.norm(2, 1);
        const at::Tensor both_zero = norms.eq(0) & (y - r).abs().amax(1).eq(0);
        const at::Tensor cosine =
            at::where(both_zero, at::ones_like(dot), dot / norms.clamp_min(1e-300));
        cosine_sum += cosine.sum().item<double>();
        if (classifier)
            agreeing += got.front().argmax(1).eq(want.front().argmax(1)).sum().item<int64_t>();
    }
    Fidelity result;
    result.samples = data.size();
    result.relative_l2 =
        reference_sq > 0.0 ? std::sqrt(error_sq / reference_sq) : (error_sq > 0.0 ? INFINITY : 0.0);
    result.cosine = cosine_sum / double(result.samples);
    result.agreement = classifier ? double(agreeing) / double(result.samples) : std::nan("");
    return result;
}

} // namespace prunelab
