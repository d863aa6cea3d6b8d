#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/progress_printer.h"

#include "engine/atomic_file.h"
#include "engine/error.h"
#include "engine/mask_set.h"
#include "engine/model_factory.h"
#include "engine/pruning_job.h"
#include "engine/version.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace prunelab::cli {
namespace {

double parse_rate(const std::string& text, const std::string& what)
{
    try {
        size_t used = 0;
        const double rate = std::stod(text, &used);
        if (used != text.size())
            throw std::invalid_argument(text);
        if (!(rate >= 0.0 && rate <= 1.0))
            throw UsageError(what + " " + text + " is outside [0, 1]");
        return rate;
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception&) {
        throw UsageError(what + " needs a number in [0, 1], not '" + text + "'");
    }
}

AllocationOptions allocation_from(const ParsedArgs& args)
{
    AllocationOptions allocation;
    const bool has_rate = args.has("rate");
    const bool has_threshold = args.has("threshold");
    const auto layer_rates = args.values("layer-rate");
    if (has_rate && has_threshold)
        throw UsageError("give --rate or --threshold, not both");
    if (!has_rate && !has_threshold && layer_rates.empty())
        throw UsageError("say how much to prune: --rate R [--global], --threshold T or "
                         "--layer-rate NAME=R");
    if (args.has("global") && !has_rate)
        throw UsageError("--global needs --rate");
    if (has_rate) {
        const double rate = parse_rate(*args.value("rate"), "--rate");
        if (args.has("global"))
            allocation.global_rate(rate);
        else
            allocation.default_rate(rate);
    }
    if (has_threshold) {
        const double threshold = args.number_or("threshold", 0.0);
        allocation.default_threshold(float(threshold));
    }
    for (const auto& item : layer_rates) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--layer-rate needs NAME=R, not '" + item + "'");
        allocation.layers[item.substr(0, eq)].rate =
            parse_rate(item.substr(eq + 1), "--layer-rate " + item.substr(0, eq));
    }
    std::set<std::string> excluded;
    for (const auto& name : args.values("exclude"))
        excluded.insert(name);
    allocation.excluded(excluded);
    const long long round_to = args.integer_or("round-to", 0);
    if (round_to != 0 && round_to != 8 && round_to != 16)
        throw UsageError("--round-to must be 8 or 16");
    allocation.round_to(round_to);
    return allocation;
}

nlohmann::json layers_json(const AllocationResult& allocation, const ModelInfo& info)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : allocation.layers) {
        nlohmann::json entry = {{"name", layer.layer},
                                {"kind", layer.kind},
                                {"pruned", layer.pruned},
                                {"elements", layer.elements},
                                {"pruned_elements", layer.pruned_elements},
                                {"rate", layer.rate}};
        for (const auto& described : info.layers)
            if (described.name == layer.layer) {
                entry["params"] = described.params;
                entry["nonzero"] = described.nonzero_weights;
                entry["sparsity"] = described.sparsity();
                entry["flops"] = described.flops;
                entry["effective_flops"] = described.effective_flops;
            }
        layers.push_back(entry);
    }
    return layers;
}

} // namespace

int run_prune(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const std::string out_path = args.required("out");
    check_output_path(out_path); // fail before minutes of work, not after

    PruningJobOptions options;
    options.importance.criterion(args.value_or("criterion", "l1"))
        .granularity(parse_granularity(args.value_or("granularity", "weight")))
        .calibration_batches(int(args.integer_or("calibration-batches", 32)))
        .seed(uint64_t(args.integer_or("seed", 0)));
    options.allocation = allocation_from(args);
    options.schedule = parse_schedule(args.value_or("schedule", "oneshot"));
    options.steps = int(args.integer_or("steps", options.schedule == Schedule::OneShot ? 1 : 5));
    options.finetune_epochs = int(args.integer_or("finetune-epochs", 0));
    options.final_finetune_epochs = int(args.integer_or("final-finetune-epochs", 0));
    options.finetune.lr(args.number_or("lr", options.finetune.lr()))
        .batch(args.integer_or("batch", 64))
        .seed(uint64_t(args.integer_or("seed", 1)));
    options.finetune.lr_schedule(args.value_or("lr-schedule", options.finetune.lr_schedule()));
    if (args.has("optimizer"))
        options.finetune.optimizer(*args.value("optimizer"));

    Checkpoint checkpoint = load_model_for(model, nullptr);
    const DataSplits data = load_data_for(args, checkpoint.net->spec());
    options.initial_masks = MaskSet::from_tensors(checkpoint.masks, *checkpoint.net);

    ProgressPrinter printer("prune");
    const auto result = run_pruning(
        *checkpoint.net, data, options,
        [&](const PruningProgress& p) {
            printer.update(p.fraction, NAN,
                           "step " + std::to_string(p.step) + "/" + std::to_string(p.steps) +
                               " " + p.phase);
        },
        context.cancel);
    printer.finish();
    if (result.cancelled || result.steps.empty()) {
        context.err << "prunelab-cli prune: cancelled; nothing was written\n";
        return 130;
    }
    for (const auto& warning : result.warnings)
        context.err << "warning: " << warning << "\n";
    for (const auto& step : result.steps) {
        char line[160];
        std::snprintf(line, sizeof line, "%s %d: sparsity %.2f%%, accuracy %.2f%%\n",
                      step.final_finetune ? "final fine-tune after step" : "step", step.step,
                      step.sparsity * 100.0, step.accuracy * 100.0);
        context.err << line;
    }

    const PruningStep& last = result.steps.back();
    checkpoint.masks = result.masks.to_bool();
    nlohmann::json pruning = {{"criterion", options.importance.criterion()},
                              {"granularity", to_string(options.importance.granularity())},
                              {"schedule", to_string(options.schedule)},
                              {"steps", options.steps},
                              {"finetune_epochs", options.finetune_epochs},
                              {"final_finetune_epochs", options.final_finetune_epochs},
                              {"dense_accuracy", result.dense_accuracy}};
    checkpoint.metadata["pruning"] = pruning;
    checkpoint.metadata["data"] = data.spec;
    checkpoint.metadata["test_accuracy"] = last.accuracy;
    checkpoint.metadata["test_loss"] = last.loss;
    checkpoint.metadata["prunelab_version"] = kVersion;
    save_checkpoint(checkpoint, out_path);

    const ModelInfo info = describe_model(*checkpoint.net);
    if (args.has("json")) {
        auto json = model_summary_json(info);
        json["command"] = "prune";
        json["source"] = model;
        json["data"] = data.spec;
        json["criterion"] = options.importance.criterion();
        json["granularity"] = to_string(options.importance.granularity());
        json["schedule"] = to_string(options.schedule);
        json["accuracy"] = last.accuracy;
        json["dense_accuracy"] = result.dense_accuracy;
        json["loss"] = last.loss;
        json["layers"] = layers_json(result.allocation, info);
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : result.steps)
            steps.push_back({{"step", s.step},
                             {"rate_fraction", s.rate_fraction},
                             {"sparsity", s.sparsity},
                             {"accuracy", s.accuracy},
                             {"final_finetune", s.final_finetune}});
        json["steps"] = steps;
        json["warnings"] = result.warnings;
        json["paths"] = {{"checkpoint", out_path}};
        print_json_line(context.out, json);
        return 0;
    }
    print_layer_table(context.out, info);
    char line[240];
    std::snprintf(line, sizeof line,
                  "pruned %s (%s, %s): sparsity %.2f%%, accuracy %.2f%% (dense %.2f%%); wrote %s\n",
                  model.c_str(), options.importance.criterion().c_str(),
                  to_string(options.importance.granularity()).c_str(), info.sparsity() * 100.0,
                  last.accuracy * 100.0, result.dense_accuracy * 100.0, out_path.c_str());
    context.out << line;
    return 0;
}

} // namespace prunelab::cli
