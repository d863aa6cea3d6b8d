#include "engine/pruning/importance.h"

#include "engine/models/dependency.h"

#include "engine/core/error.h"
#include "engine/models/models.h"
#include "engine/training/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace prunelab {
namespace {

bool is_unit_criterion_only(const std::string& criterion)
{
    return criterion == "activation" || criterion == "activation-abs";
}

/// Dimensions of a layer output that are positions of one unit (H, W for a conv).
std::vector<int64_t> position_dims(const at::Tensor& output)
{
    std::vector<int64_t> dims;
    for (int64_t d = 2; d < output.dim(); ++d)
        dims.push_back(d);
    return dims;
}

at::Tensor unit_norm(const at::Tensor& weight, int p)
{
    return weight.flatten(1).norm(p, {1});
}

/// One call's unit scores per sample, [N, units], for a data-driven unit criterion; undefined
/// when the loss did not reach the layer.
at::Tensor unit_scores(const LayerTrace::Entry& call, const std::string& kind,
                       const std::string& criterion)
{
    // A Linear over tokens ([N, tokens, features]): its units are the last dimension.
    at::Tensor out = call.output;
    at::Tensor out_grad = out.grad();
    if (kind == "Linear" && out.dim() > 2) {
        auto units_second = [](const at::Tensor& t) {
            return t.defined() ? t.flatten(1, -2).transpose(1, 2) : t;
        };
        out = units_second(out);
        out_grad = units_second(out_grad);
    }
    const auto dims = position_dims(out);
    if (criterion == "activation" || criterion == "activation-abs") {
        auto values = criterion == "activation" ? out.detach() : out.detach().abs();
        return dims.empty() ? values : values.mean(dims);
    }
    if (!out_grad.defined())
        return {};
    if (criterion == "gradient")
        return dims.empty() ? out_grad.abs() : out_grad.pow(2).sum(dims).sqrt();
    auto product = out.detach() * out_grad;
    return (dims.empty() ? product : product.sum(dims)).abs();
}

/// Accumulates data-driven scores over calibration batches.
class CalibrationScorer
{
public:
    CalibrationScorer(PrunableNet& net, const std::vector<PrunableLayer>& layers,
                      const ImportanceOptions& options)
        : m_net(net), m_layers(layers), m_options(options),
          m_unit(options.granularity() != Granularity::Weight)
    {
        for (const auto& layer : layers)
            m_sums.push_back(m_unit ? at::zeros({layer.weight.size(0)}, at::kDouble)
                                    : at::zeros(layer.weight.sizes(), at::kDouble));
    }

    void add_batch(const at::Tensor& images, const at::Tensor& labels)
    {
        const std::string& c = m_options.criterion();
        if (c == "wanda") {
            add_input_norms(images);
            return;
        }
        const bool needs_grad = c == "gradient" || c == "taylor";
        if (needs_grad && !m_net.is_classifier())
            throw Error(not_a_classifier_message(m_net, "criterion '" + c + "'") +
                        "; use l1, l2, random or activation");
        for (const auto& layer : m_layers) {
            layer.weight.mutable_grad() = at::Tensor();
        }
        LayerTrace trace(/*keep_outputs=*/m_unit);
        at::Tensor logits;
        {
            c10::AutoGradMode grad_mode(needs_grad);
            LayerTraceScope scope(&trace);
            logits = m_net.forward(images);
        }
        if (needs_grad) {
            // Sum over samples so unit gradients are per-sample gradients; weight scores are
            // averaged over batches below.
            auto loss = at::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum);
            if (!m_unit)
                loss = loss / double(images.size(0));
            loss.backward();
        }
        const auto calls = trace.calls();
        at::NoGradGuard no_grad;
        for (size_t i = 0; i < m_layers.size(); ++i) {
            const auto& layer = m_layers[i];
            if (!m_unit) {
                const auto& grad = layer.weight.grad();
                if (!grad.defined())
                    continue; // a layer the loss does not reach
                auto score = c == "gradient" ? grad.abs() : (layer.weight * grad).abs();
                m_sums[i].add_(score.to(at::kDouble));
                continue;
            }
            auto found = calls.find(layer.module);
            if (found == calls.end())
                // Unit scores need the layer's output; a TorchScript forward whose graph could
                // not be instrumented hides it. Zeros would prune by index.
                throw Error("criterion '" + c + "' at unit level needs the outputs of layer '" +
                            layer.name +
                            "', which PruneLab cannot observe inside this model's "
                            "forward (TorchScript); use l1, l2 or random, or " +
                            c + " at weight granularity");
            // A layer run at every step of a sequence: activations average over the steps,
            // gradients add up like positions do.
            at::Tensor sum;
            for (const LayerTrace::Entry* call : found->second) {
                const at::Tensor per_sample = unit_scores(*call, layer.kind, c);
                if (per_sample.defined())
                    sum = sum.defined() ? sum + per_sample : per_sample;
            }
            if (!sum.defined())
                continue;
            if (c == "activation" || c == "activation-abs")
                sum = sum / double(found->second.size());
            m_sums[i].add_(sum.sum(0).to(at::kDouble));
        }
        m_samples += images.size(0);
        ++m_batches;
    }

    /// Wanda (Sun et al. 2023): |W_ij| · ‖X_j‖₂, the weight times the norm of the input it
    /// multiplies over every calibration sample and position.
    void add_input_norms(const at::Tensor& images)
    {
        LayerTrace trace(/*keep_outputs=*/false, /*keep_inputs=*/true);
        {
            at::NoGradGuard no_grad;
            LayerTraceScope scope(&trace);
            m_net.forward(images);
        }
        const auto calls = trace.calls();
        for (size_t i = 0; i < m_layers.size(); ++i) {
            const auto& layer = m_layers[i];
            auto found = calls.find(layer.module);
            if (found == calls.end())
                throw Error("criterion 'wanda' needs the inputs of layer '" + layer.name +
                            "', which PruneLab cannot observe inside this model's forward "
                            "(TorchScript); use l1 or l2");
            for (const LayerTrace::Entry* call : found->second) {
                const at::Tensor& x = call->input;
                const at::Tensor squares = layer.kind == "Conv2d"
                                               ? x.pow(2).sum({0, 2, 3})
                                               : x.reshape({-1, x.size(-1)}).pow(2).sum(0);
                if (!m_input_squares.count(i))
                    m_input_squares[i] = at::zeros(squares.sizes(), at::kDouble);
                m_input_squares[i].add_(squares.to(at::kDouble));
            }
        }
        ++m_batches;
    }

    at::Tensor scores(size_t i) const
    {
        if (m_options.criterion() == "wanda") {
            const at::Tensor& weight = m_layers[i].weight;
            at::Tensor norms = m_input_squares.at(i).sqrt().to(at::kFloat);
            const int64_t per_group = weight.size(1);
            if (norms.numel() != per_group) {
                // A grouped convolution: output o reads input channels of its group only.
                const int64_t groups = norms.numel() / per_group;
                norms = norms.view({groups, 1, per_group})
                            .expand({groups, weight.size(0) / groups, per_group})
                            .reshape({weight.size(0), per_group});
            } else {
                norms = norms.view({1, per_group}).expand({weight.size(0), per_group});
            }
            std::vector<int64_t> shape = {weight.size(0), per_group};
            for (int64_t d = 2; d < weight.dim(); ++d)
                shape.push_back(1);
            return (weight.detach().abs() * norms.reshape(shape)).contiguous();
        }
        const double divisor = m_unit ? double(std::max<int64_t>(1, m_samples))
                                      : double(std::max<int64_t>(1, m_batches));
        return (m_sums[i] / divisor).to(at::kFloat).contiguous();
    }

private:
    PrunableNet& m_net;
    const std::vector<PrunableLayer>& m_layers;
    const ImportanceOptions& m_options;
    bool m_unit;
    std::vector<at::Tensor> m_sums;
    std::map<size_t, at::Tensor> m_input_squares; ///< wanda: Σ x_j² per layer input
    int64_t m_samples = 0;
    int64_t m_batches = 0;
};

void validate(const ImportanceOptions& options, const Dataset* calibration, PrunableNet& net)
{
    const auto names = criterion_names();
    if (std::find(names.begin(), names.end(), options.criterion()) == names.end()) {
        std::string list;
        for (const auto& n : names)
            list += (list.empty() ? "" : ", ") + n;
        throw Error("unknown criterion '" + options.criterion() + "' (known: " + list + ")");
    }
    if (options.granularity() != Granularity::Weight && options.criterion() == "wanda")
        throw Error("criterion 'wanda' scores single weights (|W|·‖X‖ per input), not " +
                    to_string(options.granularity()) + "s; use --granularity weight");
    if (options.granularity() == Granularity::Weight && is_unit_criterion_only(options.criterion()))
        throw Error("criterion '" + options.criterion() +
                    "' scores neurons or filters, not single weights (use --granularity neuron "
                    "or filter)");
    if (criterion_needs_data(options.criterion())) {
        if (!calibration || calibration->size() == 0)
            throw Error("criterion '" + options.criterion() + "' needs calibration data");
        check_data_fits(net, *calibration);
        if (options.calibration_batches() < 1 || options.batch() < 1)
            throw Error("calibration needs at least one batch of at least one sample");
    }
}

} // namespace

Granularity parse_granularity(const std::string& name)
{
    if (name == "weight")
        return Granularity::Weight;
    if (name == "neuron" || name == "unit") // a recurrent layer's units are its neurons
        return Granularity::Neuron;
    if (name == "filter")
        return Granularity::Filter;
    if (name == "head")
        return Granularity::Head;
    throw Error("unknown granularity '" + name + "' (weight, neuron, filter or head)");
}

std::string to_string(Granularity granularity)
{
    switch (granularity) {
    case Granularity::Weight:
        return "weight";
    case Granularity::Neuron:
        return "neuron";
    case Granularity::Filter:
        return "filter";
    case Granularity::Head:
        return "head";
    }
    return "?";
}

std::vector<std::string> criterion_names()
{
    return {"l1", "l2", "activation", "activation-abs", "gradient", "taylor", "wanda", "random"};
}

bool criterion_needs_data(const std::string& criterion)
{
    return criterion == "activation" || criterion == "activation-abs" || criterion == "gradient" ||
           criterion == "taylor" || criterion == "wanda";
}

const LayerScores* ImportanceResult::find(const std::string& layer) const
{
    for (const auto& entry : layers)
        if (entry.layer == layer)
            return &entry;
    return nullptr;
}

namespace {

/// Coupled producers score a channel together: every one of them gets the group's reduction.
void share_group_scores(ImportanceResult& result, const DependencyResult& dependencies, bool sum)
{
    for (const auto& group : dependencies.groups) {
        const auto producers = group.producers();
        if (producers.size() < 2)
            continue;
        at::Tensor combined;
        for (const auto& layer : producers) {
            const auto& scores = result.find(layer)->scores;
            combined = combined.defined() ? combined + scores : scores.clone();
        }
        if (!sum)
            combined /= double(producers.size());
        for (auto& entry : result.layers)
            if (group.has_producer(entry.layer))
                entry.scores = combined.contiguous();
    }
}

/// A unit that spans several rows of its producers scores their sum: an attention head's
/// `block` rows, a recurrent unit's row in each gate.
void score_units_of_several_rows(ImportanceResult& result, const DependencyResult& dependencies)
{
    for (const auto& group : dependencies.groups) {
        const int64_t block = group.producer_block(), gates = group.producer_gates();
        if (block == 1 && gates == 1)
            continue;
        for (auto& entry : result.layers)
            if (group.has_producer(entry.layer))
                entry.scores =
                    entry.scores.view({gates, -1, block}).sum(at::IntArrayRef{0, 2}).contiguous();
    }
}

} // namespace

void mark_channel_groups(ImportanceResult& importance, const DependencyResult& dependencies)
{
    for (auto& entry : importance.layers) {
        const ChannelGroup* group = dependencies.group_of(entry.layer);
        entry.structurally_prunable = group && group->prunable;
        entry.group_leader = group ? group->leader() : entry.layer;
    }
}

ImportanceResult compute_importance(PrunableNet& net, const Dataset* calibration,
                                    const ImportanceOptions& options,
                                    const ImportanceProgress& progress,
                                    const std::atomic<bool>* cancel)
{
    validate(options, calibration, net);
    const std::string& criterion = options.criterion();
    if ((criterion == "gradient" || criterion == "taylor") && calibration &&
        !calibration->labelled() && net.is_classifier())
        throw Error(unlabelled_data_message(*calibration, "criterion '" + criterion + "'") +
                    "; use l1, l2, random or activation");
    const auto layers = prunable_layers(net);
    if (layers.empty())
        throw Error("model '" + net.spec().name + "' has no prunable layer (Conv2d or Linear)");

    ImportanceResult result;
    result.criterion = options.criterion();
    result.granularity = options.granularity();
    const bool unit = options.granularity() != Granularity::Weight;
    if (unit && options.group_reduction() != "mean" && options.group_reduction() != "sum")
        throw Error("unknown group reduction '" + options.group_reduction() + "' (mean, sum)");
    const DependencyResult dependencies = unit ? analyze_dependencies(net) : DependencyResult{};

    std::vector<at::Tensor> scores(layers.size());
    const std::string& c = options.criterion();
    if (c == "l1" || c == "l2") {
        at::NoGradGuard no_grad;
        for (size_t i = 0; i < layers.size(); ++i)
            scores[i] = unit ? unit_norm(layers[i].weight, c == "l1" ? 1 : 2)
                             : layers[i].weight.detach().abs();
    } else if (c == "random") {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed());
        for (size_t i = 0; i < layers.size(); ++i)
            scores[i] = unit ? at::rand({layers[i].weight.size(0)}, gen)
                             : at::rand(layers[i].weight.sizes(), gen);
    } else {
        const bool was_training = net.is_training();
        net.eval();
        CalibrationScorer scorer(net, layers, options);
        const int64_t available = (calibration->size() + options.batch() - 1) / options.batch();
        const int batches = int(std::min<int64_t>(options.calibration_batches(), available));
        for (int b = 0; b < batches; ++b) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                break;
            }
            const int64_t begin = b * options.batch();
            const int64_t end = std::min(calibration->size(), begin + options.batch());
            scorer.add_batch(calibration->images.slice(0, begin, end),
                             calibration->labels.slice(0, begin, end));
            if (progress)
                progress(b + 1, batches);
        }
        for (auto& p : net.parameters())
            p.mutable_grad() = at::Tensor();
        net.train(was_training);
        if (result.cancelled)
            return result;
        for (size_t i = 0; i < layers.size(); ++i) {
            scores[i] = scorer.scores(i);
            // Data-driven scores differ in scale from layer to layer by orders of magnitude;
            // layer-wise L2 normalization (Molchanov et al. 2017) makes a global ranking
            // compare like with like. The order within a layer is unchanged.
            const double norm = scores[i].norm().item<double>();
            if (norm > 0.0)
                scores[i] = scores[i] / norm;
        }
    }

    for (size_t i = 0; i < layers.size(); ++i) {
        auto s = scores[i].to(at::kFloat).contiguous();
        if (!at::isfinite(s).all().item<bool>())
            throw Error("criterion '" + c + "' gave non-finite scores for layer '" +
                        layers[i].name + "' (are its weights NaN?)");
        result.layers.push_back({layers[i].name, layers[i].kind, s, true, layers[i].name});
    }
    if (unit) {
        score_units_of_several_rows(result, dependencies);
        mark_channel_groups(result, dependencies);
        share_group_scores(result, dependencies, options.group_reduction() == "sum");
        result.warnings.insert(result.warnings.end(), dependencies.warnings.begin(),
                               dependencies.warnings.end());
    }
    return result;
}

} // namespace prunelab
