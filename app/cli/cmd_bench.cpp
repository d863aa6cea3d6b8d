#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/compaction/latency.h"
#include "engine/core/blas_threads.h"
#include "engine/interop/model_loader.h"
#include "engine/pruning/mask_set.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <filesystem>
#include <ostream>

namespace prunelab::cli {

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
        checkpoints.push_back(load_model_argument(args, model));
        auto& net = *checkpoints.back().net;
        MaskSet::from_tensors(checkpoints.back().masks, net).apply_(net);
        nets.push_back(&net);
        infos.push_back(describe_model(net));
    }
    const auto results =
        measure_latency(nets, LatencyOptions()
                                  .batch(batch)
                                  .runs(int(runs))
                                  .warmup(int(warmup))
                                  .max_seconds(args.number_or("max-seconds", 60.0)));

    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < models.size(); ++i) {
        const auto& r = results[i];
        nlohmann::json row = {
            {"model", models[i]},
            {"median_ms", r.median_ms},
            {"min_ms", r.min_ms},
            {"max_ms", r.max_ms},
            {"throughput", r.throughput},
            {"runs", r.runs},
            {"params", infos[i].total_params},
            {"nonzero", infos[i].nonzero_weights},
            {"flops", infos[i].flops},
            {"speedup", r.median_ms > 0 ? results[0].median_ms / r.median_ms : 0.0}};
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
    std::snprintf(line, sizeof line, "%-40s %12s %14s %8s %12s %14s\n", "model", "median ms",
                  "samples/s", "speedup", "params", "MACs");
    context.out << line;
    for (const auto& row : rows) {
        std::snprintf(line, sizeof line, "%-40s %12.3f %14.1f %7.2f× %12s %14s\n",
                      row["model"].get<std::string>().c_str(), row["median_ms"].get<double>(),
                      row["throughput"].get<double>(), row["speedup"].get<double>(),
                      group_digits(row["params"].get<long long>()).c_str(),
                      group_digits(row["flops"].get<long long>()).c_str());
        context.out << line;
    }
    return 0;
}

} // namespace prunelab::cli
