#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/compaction/latency.h"
#include "engine/core/blas_threads.h"
#include "engine/export/onnx_runtime.h"
#include "engine/interop/model_loader.h"
#include "engine/pruning/mask_set.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <optional>

#include <cstdio>
#include <filesystem>
#include <ostream>

namespace prunelab::cli {

namespace {

bool is_onnx_file(const std::string& model)
{
    return model.size() > 5 && model.compare(model.size() - 5, 5, ".onnx") == 0;
}

/// An ONNX file timed in ONNX Runtime on inputs shaped like `like`'s, with as many threads as
/// LibTorch uses, as LatencyResult.
LatencyResult onnx_runtime_latency(const std::string& path, const PrunableNet& like,
                                   long long batch, int runs, int warmup)
{
    InputShapes shapes = like.spec().inputs;
    if (shapes.empty())
        shapes = {like.spec().input_shape};
    std::vector<std::pair<std::string, at::Tensor>> inputs;
    for (const auto& shape : shapes) {
        std::vector<int64_t> sizes = {batch};
        sizes.insert(sizes.end(), shape.begin(), shape.end());
        inputs.emplace_back("", at::randn(sizes));
    }
    OnnxRuntimeOptions options;
    options.runs = runs;
    options.warmup = warmup;
    options.threads = at::get_num_threads();
    std::vector<double> ms;
    for (double seconds : run_onnx_runtime(path, inputs, options).seconds)
        ms.push_back(seconds * 1000.0);
    std::sort(ms.begin(), ms.end());
    LatencyResult result;
    result.runs = int(ms.size());
    result.median_ms =
        ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2.0;
    result.min_ms = ms.front();
    result.max_ms = ms.back();
    result.throughput = result.median_ms > 0 ? double(batch) * 1000.0 / result.median_ms : 0.0;
    return result;
}

} // namespace

int run_bench(const ParsedArgs& args, CommandContext& context)
{
    const auto& models = args.positionals();
    if (models.empty())
        throw UsageError("name the MODEL to time (several are timed in turns)");
    const long long batch = args.integer_or("batch", 1);
    const long long runs = args.integer_or("runs", 50);
    const long long warmup = args.integer_or("warmup", 5);
    if (batch < 1 || runs < 1 || warmup < 0)
        throw UsageError("--batch and --runs must be at least 1 and --warmup at least 0");
    if (args.has("threads")) {
        const long long threads = args.integer_or("threads", 0);
        if (threads < 1)
            throw UsageError("--threads must be at least 1");
        at::set_num_threads(int(threads));
        set_blas_threads(int(threads));
    }

    std::vector<Checkpoint> checkpoints;
    std::vector<PrunableNet*> nets;
    std::vector<ModelInfo> infos;
    for (const auto& model : models) {
        if (is_onnx_file(model))
            continue;
        checkpoints.push_back(load_model_argument(args, model));
        auto& net = *checkpoints.back().net;
        MaskSet::from_tensors(checkpoints.back().masks, net).apply_(net);
        nets.push_back(&net);
        infos.push_back(describe_model(net));
    }
    if (nets.empty())
        throw UsageError("name a PruneLab model before the .onnx files: ONNX Runtime gets inputs "
                         "shaped like its input");
    const auto torch_results =
        measure_latency(nets, LatencyOptions()
                                  .batch(batch)
                                  .runs(int(runs))
                                  .warmup(int(warmup))
                                  .max_seconds(args.number_or("max-seconds", 60.0)));
    // Every model in the order given: PruneLab's from LibTorch, .onnx files from ONNX Runtime
    // (timed after them, in its own process, with the same threads).
    std::vector<LatencyResult> results;
    std::vector<std::optional<ModelInfo>> described;
    size_t next_torch = 0;
    for (const auto& model : models) {
        if (is_onnx_file(model)) {
            results.push_back(onnx_runtime_latency(model, *nets[0], batch, int(runs), int(warmup)));
            described.emplace_back();
        } else {
            results.push_back(torch_results[next_torch]);
            described.emplace_back(infos[next_torch]);
            ++next_torch;
        }
    }

    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < models.size(); ++i) {
        const auto& r = results[i];
        nlohmann::json row = {
            {"model", models[i]},
            {"runtime", described[i] ? "LibTorch" : "ONNX Runtime"},
            {"median_ms", r.median_ms},
            {"min_ms", r.min_ms},
            {"max_ms", r.max_ms},
            {"throughput", r.throughput},
            {"runs", r.runs},
            {"speedup", r.median_ms > 0 ? results[0].median_ms / r.median_ms : 0.0}};
        if (described[i]) {
            row["params"] = described[i]->total_params;
            row["nonzero"] = described[i]->nonzero_weights;
            row["flops"] = described[i]->flops;
        }
        if (std::filesystem::is_regular_file(models[i]))
            row["file_bytes"] = std::filesystem::file_size(models[i]);
        rows.push_back(row);
    }
    if (args.has("json")) {
        print_json_line(context.out, {{"command", "bench"},
                                      {"batch", batch},
                                      {"threads", at::get_num_threads()},
                                      {"models", rows}});
        return 0;
    }
    char line[320];
    std::snprintf(line, sizeof line,
                  "batch %lld, %d thread(s), median of %d runs (after %lld warm-up)\n", batch,
                  at::get_num_threads(), results[0].runs, warmup);
    context.out << line;
    std::snprintf(line, sizeof line, "%-40s %-12s %12s %14s %8s %12s %14s\n", "model", "runtime",
                  "median ms", "samples/s", "speedup", "params", "MACs");
    context.out << line;
    for (const auto& row : rows) {
        const bool counted = row.contains("params");
        std::snprintf(line, sizeof line, "%-40s %-12s %12.3f %14.1f %7.2f× %12s %14s\n",
                      row["model"].get<std::string>().c_str(),
                      row["runtime"] == "LibTorch" ? "LibTorch" : "ONNX RT",
                      row["median_ms"].get<double>(), row["throughput"].get<double>(),
                      row["speedup"].get<double>(),
                      counted ? group_digits(row["params"].get<long long>()).c_str() : "",
                      counted ? group_digits(row["flops"].get<long long>()).c_str() : "");
        context.out << line;
    }
    return 0;
}

} // namespace prunelab::cli
