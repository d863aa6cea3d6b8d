#include "engine/compaction/latency.h"

#include "engine/core/error.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>

namespace prunelab {

std::vector<LatencyResult> measure_latency(const std::vector<PrunableNet*>& models,
                                           const LatencyOptions& options)
{
    if (models.empty())
        throw Error("no model to time");
    if (options.batch() < 1)
        throw Error("batch size must be at least 1, not " + std::to_string(options.batch()));
    const auto& input_shape = models[0]->spec().input_shape;
    for (const PrunableNet* m : models)
        if (m->spec().input_shape != input_shape)
            throw Error("the models take different inputs (" + format_shape(input_shape) + " and " +
                        format_shape(m->spec().input_shape) + "); time them separately");
    std::vector<int64_t> shape = {options.batch()};
    shape.insert(shape.end(), input_shape.begin(), input_shape.end());
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed());
    const at::Tensor x = at::randn(shape, gen);

    std::vector<bool> training;
    for (PrunableNet* m : models) {
        training.push_back(m->is_training());
        m->eval();
    }
    std::vector<std::vector<double>> times(models.size());
    {
        c10::InferenceMode inference;
        for (int i = 0; i < options.warmup(); ++i)
            for (PrunableNet* m : models)
                m->forward(x);
        using Clock = std::chrono::steady_clock;
        double spent = 0.0;
        for (int round = 0; round < options.runs(); ++round) {
            for (size_t k = 0; k < models.size(); ++k) {
                const auto start = Clock::now();
                models[k]->forward(x);
                const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
                times[k].push_back(seconds * 1000.0);
                spent += seconds;
            }
            if (round >= 4 && spent > options.max_seconds())
                break;
        }
    }
    for (size_t k = 0; k < models.size(); ++k)
        models[k]->train(training[k]);

    std::vector<LatencyResult> results;
    for (auto& t : times) {
        std::sort(t.begin(), t.end());
        LatencyResult r;
        r.runs = int(t.size());
        r.batch = options.batch();
        r.median_ms =
            t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
        r.min_ms = t.front();
        r.max_ms = t.back();
        r.throughput = r.median_ms > 0 ? double(r.batch) * 1000.0 / r.median_ms : 0.0;
        results.push_back(r);
    }
    return results;
}

} // namespace prunelab
