#include "engine/sweep.h"

#include "engine/data_parallel.h"
#include "engine/distillation.h"
#include "engine/error.h"
#include "engine/model_info.h"
#include "engine/models.h"
#include "engine/pruning_job.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

/// The model's parameters and buffers, copied, to restore between points.
class DenseSnapshot
{
public:
    explicit DenseSnapshot(PrunableNet& net) : m_net(net)
    {
        for (const auto& t : net.parameters())
            m_values.push_back(t.detach().clone());
        for (const auto& t : net.buffers())
            m_values.push_back(t.detach().clone());
    }
    void restore()
    {
        at::NoGradGuard no_grad;
        size_t i = 0;
        for (auto& t : m_net.parameters())
            t.copy_(m_values[i++]);
        for (auto& t : m_net.buffers())
            t.copy_(m_values[i++]);
    }

private:
    PrunableNet& m_net;
    std::vector<at::Tensor> m_values;
};

void check_sparsities(const std::vector<double>& sparsities)
{
    if (sparsities.empty())
        throw Error("no sparsities to evaluate");
    for (double s : sparsities)
        if (!(s >= 0.0 && s <= 1.0))
            throw Error("sparsity " + std::to_string(s) + " is outside [0, 1]");
}

ImportanceOptions importance_options(const std::string& criterion, Granularity granularity,
                                     int calibration_batches, uint64_t seed)
{
    return ImportanceOptions()
        .criterion(criterion)
        .granularity(granularity)
        .calibration_batches(calibration_batches)
        .seed(seed);
}

} // namespace

SweepResult run_sweep(PrunableNet& net, const DataSplits& data, const SweepOptions& options,
                      const SweepProgress& progress, const std::atomic<bool>* cancel,
                      const SweepPointCallback& on_point)
{
    if (options.criteria.empty())
        throw Error("no criteria to sweep");
    check_sparsities(options.sparsities);
    const auto known = criterion_names();
    for (const auto& c : options.criteria)
        if (std::find(known.begin(), known.end(), c) == known.end())
            throw Error("unknown criterion '" + c + "'");
    check_data_fits(net, data.test);

    SweepResult result;
    result.dense_accuracy = evaluate(net, data.test).accuracy;
    DenseSnapshot dense(net);
    ModelInfo info = describe_model(net); // layout once; counts refreshed per point
    // Distillation recovers each point from the dense model: one frozen copy, its outputs over
    // the training set computed once for every point.
    std::shared_ptr<PrunableNet> teacher;
    at::Tensor teacher_logits;
    if (options.distill && options.finetune_epochs > 0) {
        teacher = replicate(net);
        teacher_logits = teacher_outputs(*teacher, data.train);
    }
    const int total = int(options.criteria.size() * options.sparsities.size());
    int done = 0;
    for (const auto& criterion : options.criteria) {
        dense.restore(); // score the dense model, not the previous criterion's last point
        const auto importance = compute_importance(
            net, &data.train,
            importance_options(criterion, options.granularity, options.calibration_batches,
                               options.seed),
            {}, cancel);
        if (importance.cancelled) {
            result.cancelled = true;
            break;
        }
        Pruner pruner(net, importance);
        for (double target : options.sparsities) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                break;
            }
            dense.restore();
            AllocationOptions allocation;
            if (options.global)
                allocation.global_rate(target);
            else
                allocation.default_rate(target);
            allocation.excluded(options.excluded);
            const auto allocated = pruner.allocate(allocation);
            allocated.masks.apply_(net);
            if (options.finetune_epochs > 0) {
                auto finetune = options.finetune;
                finetune.epochs(options.finetune_epochs);
                TrainResult trained;
                if (teacher) {
                    DistillOptions kd;
                    kd.train = finetune;
                    kd.temperature(options.temperature).alpha(options.alpha);
                    trained = distill(*teacher, net, data.train, nullptr, kd, {}, cancel,
                                      hold_masks(allocated.masks), teacher_logits)
                                  .training;
                } else {
                    trained = train(net, data.train, nullptr, finetune, {}, cancel,
                                    hold_masks(allocated.masks));
                }
                if (trained.cancelled) {
                    result.cancelled = true;
                    break;
                }
            }
            const auto eval = evaluate(net, data.test);
            update_weight_counts(info, net);
            result.points.push_back({criterion, target, info.sparsity(), info.params_kept(),
                                     info.flops_kept(), eval.accuracy, eval.loss,
                                     options.finetune_epochs});
            if (on_point)
                on_point(result.points.back());
            if (progress)
                progress(++done, total, criterion);
        }
        if (result.cancelled)
            break;
    }
    dense.restore();
    return result;
}

SensitivityResult run_sensitivity(PrunableNet& net, const DataSplits& data,
                                  const SensitivityOptions& options,
                                  const SweepProgress& progress, const std::atomic<bool>* cancel)
{
    check_sparsities(options.sparsities);
    check_data_fits(net, data.test);
    SensitivityResult result;
    result.dense_accuracy = evaluate(net, data.test).accuracy;
    const auto importance = compute_importance(
        net, &data.train,
        importance_options(options.criterion, options.granularity, options.calibration_batches,
                           options.seed),
        {}, cancel);
    if (importance.cancelled) {
        result.cancelled = true;
        return result;
    }
    Pruner pruner(net, importance);
    for (size_t i = 0; i < importance.layers.size(); ++i)
        if (pruner.applies_to(i)) {
            result.layers.push_back(importance.layers[i].layer);
            result.layer_elements.push_back(pruner.index().size(i));
        }
    DenseSnapshot dense(net);
    const int total = int(result.layers.size() * options.sparsities.size());
    int done = 0;
    for (const auto& layer : result.layers) {
        for (double sparsity : options.sparsities) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                dense.restore();
                return result;
            }
            dense.restore();
            AllocationOptions allocation;
            allocation.layers[layer].rate = sparsity;
            pruner.allocate(allocation).masks.apply_(net);
            result.points.push_back({layer, sparsity, evaluate(net, data.test).accuracy});
            if (progress)
                progress(++done, total, layer);
        }
    }
    dense.restore();
    return result;
}

std::map<std::string, double> allocate_by_sensitivity(const SensitivityResult& sensitivity,
                                                      double target)
{
    if (!(target >= 0.0 && target < 1.0))
        throw Error("target sparsity " + std::to_string(target) + " is outside [0, 1)");
    // Each layer's curve, with the dense point (0, dense accuracy) prepended.
    std::map<std::string, std::vector<std::pair<double, double>>> curves;
    for (const auto& layer : sensitivity.layers)
        curves[layer].push_back({0.0, sensitivity.dense_accuracy});
    for (const auto& p : sensitivity.points)
        curves[p.layer].push_back({p.sparsity, p.accuracy});
    for (auto& [layer, curve] : curves)
        std::sort(curve.begin(), curve.end());

    // The highest sparsity at which the curve stays at or above `floor` (interpolated).
    auto max_sparsity = [](const std::vector<std::pair<double, double>>& curve, double floor) {
        double best = 0.0;
        for (size_t i = 0; i < curve.size(); ++i) {
            if (curve[i].second < floor) {
                if (i > 0) {
                    const auto [s0, a0] = curve[i - 1];
                    const auto [s1, a1] = curve[i];
                    best = s0 + (s1 - s0) * (a0 - floor) / std::max(1e-12, a0 - a1);
                }
                return best;
            }
            best = curve[i].first;
        }
        return best;
    };
    int64_t total = 0;
    for (int64_t n : sensitivity.layer_elements)
        total += n;
    auto rates_for = [&](double drop) {
        std::map<std::string, double> rates;
        double pruned = 0.0;
        for (size_t i = 0; i < sensitivity.layers.size(); ++i) {
            const auto& name = sensitivity.layers[i];
            rates[name] = max_sparsity(curves[name], sensitivity.dense_accuracy - drop);
            pruned += rates[name] * double(sensitivity.layer_elements[i]);
        }
        return std::make_pair(rates, total ? pruned / double(total) : 0.0);
    };
    double lo = -1.0; // a negative drop allows nothing
    double hi = 1.0;  // a drop of 100 pp allows everything measured
    if (rates_for(hi).second < target)
        return rates_for(hi).first; // the curves do not reach the target: prune as far as measured
    for (int iteration = 0; iteration < 50; ++iteration) {
        const double mid = (lo + hi) / 2.0;
        if (rates_for(mid).second >= target)
            hi = mid;
        else
            lo = mid;
    }
    return rates_for(hi).first;
}

} // namespace prunelab
