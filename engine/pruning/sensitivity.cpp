#include "engine/pruning/sensitivity.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/models/model_state.h"
#include "engine/models/models.h"
#include "engine/training/held_out.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace prunelab {

SensitivityResult run_sensitivity(PrunableNet& net, const DataSplits& data,
                                  const SensitivityOptions& options, const SweepProgress& progress,
                                  const std::atomic<bool>* cancel)
{
    check_sparsities(options.sparsities);
    const HeldOutMeasure measure(net, data);
    check_data_fits(net, measure.split());
    SensitivityResult result;
    result.measured = measure.measured_on(data);
    result.dense_accuracy = measure(net).accuracy;
    const auto importance = compute_importance(net, &data.train,
                                               ImportanceOptions()
                                                   .criterion(options.criterion)
                                                   .granularity(options.granularity)
                                                   .calibration_batches(options.calibration_batches)
                                                   .seed(options.seed),
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
    ModelSnapshot dense(net);
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
            result.points.push_back({layer, sparsity, measure(net).accuracy});
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
    check_fraction(target, "target sparsity", FractionRange::BelowOne);
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
