#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/progress_printer.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/data/memory_cap.h"
#include "engine/pruning/recipe.h"
#include "engine/pruning/recipe_runner.h"

#include <cstdio>
#include <optional>
#include <ostream>

namespace prunelab::cli {
namespace {

double parse_rate(const std::string& text, const std::string& what)
{
    try {
        return parse_fraction(text, what);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

/// --granularity: weight, neuron, filter, head, or an N:M pattern (single weights).
Granularity granularity_argument(const ParsedArgs& args)
{
    const std::string name = args.value_or("granularity", "weight");
    return parse_granularity(name.find(':') != std::string::npos ? "weight" : name);
}

AllocationOptions allocation_from(const ParsedArgs& args)
{
    AllocationOptions allocation;
    const bool has_rate = args.has("rate");
    const bool has_threshold = args.has("threshold");
    const auto layer_rates = args.values("layer-rate");
    if (has_rate && has_threshold)
        throw UsageError("give --rate or --threshold, not both");
    // `--granularity 2:4`: single weights in an N:M pattern, which says how much by itself.
    const std::string granularity = args.value_or("granularity", "weight");
    if (granularity.find(':') != std::string::npos) {
        if (has_rate || has_threshold || !layer_rates.empty())
            throw UsageError("--granularity " + granularity +
                             " prunes a fixed share; drop --rate, --threshold and --layer-rate");
        allocation.pattern(parse_nm_pattern(granularity));
    } else if (!has_rate && !has_threshold && layer_rates.empty()) {
        throw UsageError("say how much to prune: --rate R [--global], --threshold T or "
                         "--layer-rate NAME=R");
    }
    allocation.per_row(args.has("per-row"));
    if (args.has("global") && !has_rate)
        throw UsageError("--global needs --rate");
    if ((args.has("normalizer") || args.has("max-layer-rate")) && !args.has("global"))
        throw UsageError("--normalizer and --max-layer-rate shape a global ranking: add --global");
    if (has_rate) {
        const double rate = parse_rate(*args.value("rate"), "--rate");
        if (args.has("global"))
            allocation.global_rate(rate)
                .normalizer(normalizer_from(args))
                .max_layer_rate(max_layer_rate_from(args));
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

Recipe recipe_from_args(const ParsedArgs& args)
{
    Recipe recipe;
    recipe.model = model_argument(args);
    recipe.inputs = input_shape_argument(args);
    recipe.data = args.value_or("data", "fashion-mnist");
    recipe.train_limit = args.integer_or("train-limit", 0);
    recipe.test_limit = args.integer_or("test-limit", 0);
    recipe.validation_fraction = args.number_or("val-fraction", 0.1);
    recipe.crop_ratio = args.number_or("crop-ratio", 0.875);
    recipe.augment = !args.has("no-augment");
    recipe.normalize = args.value_or("normalize", "auto");
    recipe.max_memory = data_options_for(args, ModelSpec{}).max_memory();
    if (recipe.train_limit < 0 || recipe.test_limit < 0)
        throw UsageError("--train-limit and --test-limit must not be negative");
    PruningJobOptions& options = recipe.options;
    options.importance.criterion(args.value_or("criterion", "l1"))
        .granularity(granularity_argument(args))
        .calibration_batches(int(args.integer_or("calibration-batches", 32)))
        .group_reduction(args.value_or("group-reduction", "mean"))
        .seed(uint64_t(args.integer_or("seed", 0)));
    if (options.importance.group_reduction() != "mean" &&
        options.importance.group_reduction() != "sum")
        throw UsageError("--group-reduction must be mean or sum");
    options.allocation = allocation_from(args);
    options.schedule = parse_schedule(args.value_or("schedule", "oneshot"));
    options.steps = int(args.integer_or("steps", options.schedule == Schedule::OneShot ? 1 : 5));
    options.finetune_epochs = int(args.integer_or("finetune-epochs", 0));
    options.final_finetune_epochs = int(args.integer_or("final-finetune-epochs", 0));
    options.finetune.lr(args.number_or("lr", options.finetune.lr()))
        .batch(args.integer_or("batch", 64))
        .seed(uint64_t(args.integer_or("seed", 1)));
    options.finetune.lr_schedule(args.value_or("lr-schedule", options.finetune.lr_schedule()));
    if (args.has("optimizer")) {
        const std::string optimizer = *args.value("optimizer");
        if (optimizer != "sgd" && optimizer != "adam")
            throw UsageError("--optimizer must be sgd or adam, not '" + optimizer + "'");
        options.finetune.optimizer(optimizer);
    }
    recipe.exports["checkpoint"] = args.required("out");
    for (const char* kind : {"state-dict", "masks", "report"})
        if (const auto path = args.value(kind))
            recipe.exports[std::string(kind) == "state-dict" ? "state_dict" : kind] = *path;
    // What --save-recipe writes must replay: the options pass the recipe reader's checks now,
    // not only when `run` reads the file (an unused --optimizer bogus was saved before).
    recipe_from_json(recipe_to_json(recipe), "prune options");
    return recipe;
}

/// Runs a recipe (from `prune`'s options or a file) in the engine and prints what it did.
int execute_recipe(const Recipe& recipe, const std::string& label, bool json_output,
                   CommandContext& context)
{
    if (recipe.exports.empty())
        throw UsageError("nothing to write: give exports (checkpoint, state_dict, masks, report)");
    std::optional<ProgressPrinter> printer;
    std::string stage;
    const RecipeRunResult result = run_recipe(
        recipe, label,
        [&](const RecipeProgress& p) {
            if (p.stage != stage) {
                if (printer)
                    printer->finish();
                printer.emplace(p.stage);
                stage = p.stage;
            }
            printer->update(p.fraction, p.eta_seconds, p.message);
        },
        context.cancel);
    if (printer)
        printer->finish();
    if (result.cancelled) {
        context.err << (result.pruning.cancelled || result.pruning.steps.empty()
                            ? "prunelab-cli prune: cancelled; nothing was written\n"
                            : "prunelab-cli: cancelled during distillation; nothing was written\n");
        return 130;
    }
    const auto& pruning = result.pruning;
    for (const auto& warning : pruning.warnings)
        context.err << "warning: " << warning << "\n";
    // A model without classes is measured by fidelity to the model before pruning.
    auto quality = [&](double accuracy, double loss) {
        char text[120];
        if (pruning.fidelity)
            std::snprintf(text, sizeof text, "fidelity: cosine %.4f, relative L2 error %.4f",
                          accuracy, loss);
        else
            std::snprintf(text, sizeof text, "accuracy %.2f%%", accuracy * 100.0);
        return std::string(text);
    };
    for (const auto& step : pruning.steps)
        context.err << (step.final_finetune ? "final fine-tune after step " : "step ") << step.step
                    << ": sparsity " << format_percent(step.sparsity) << ", "
                    << quality(step.accuracy, step.loss) << "\n";
    const PruningJobOptions& options = recipe.options;
    if (json_output) {
        auto json = model_summary_json(result.info);
        json["command"] = "prune";
        json["source"] = recipe.model;
        json["data"] = result.data;
        json["criterion"] = options.importance.criterion();
        json["granularity"] = options.allocation.pattern()
                                  ? to_string(*options.allocation.pattern())
                                  : to_string(options.importance.granularity());
        json["per_row"] = options.allocation.per_row();
        json["schedule"] = to_string(options.schedule);
        // "metric" says what "accuracy" holds: top-1 accuracy, or for a model without classes
        // the cosine fidelity to the model before pruning ("loss" is then the relative L2 error).
        json["metric"] = pruning.fidelity ? "fidelity" : "accuracy";
        json["accuracy"] = result.accuracy;
        json["dense_accuracy"] = pruning.dense_accuracy;
        json["loss"] = result.loss;
        json["layers"] = layers_json(pruning.allocation, result.info);
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : pruning.steps)
            steps.push_back({{"step", s.step},
                             {"rate_fraction", s.rate_fraction},
                             {"sparsity", s.sparsity},
                             {"accuracy", s.accuracy},
                             {"loss", s.loss},
                             {"final_finetune", s.final_finetune}});
        json["steps"] = steps;
        json["warnings"] = pruning.warnings;
        json["paths"] = result.paths;
        print_json_line(context.out, json);
        return 0;
    }
    print_layer_table(context.out, result.info);
    context.out << "pruned " << recipe.model << " (" << options.importance.criterion() << ", "
                << to_string(options.importance.granularity()) << "): sparsity "
                << format_percent(result.info.sparsity()) << ", "
                << quality(result.accuracy, result.loss);
    if (!pruning.fidelity)
        context.out << " (dense " << format_percent(pruning.dense_accuracy) << ")";
    context.out << "\n";
    for (const auto& [what, path] : result.paths)
        context.out << "wrote " << what << " " << path << "\n";
    return 0;
}

} // namespace

int run_prune(const ParsedArgs& args, CommandContext& context)
{
    const Recipe recipe = recipe_from_args(args);
    const auto recipe_path = args.value("save-recipe");
    if (recipe_path) { // with the run's own outputs, before any work
        std::vector<std::string> outputs = {*recipe_path};
        for (const auto& [what, path] : recipe.exports)
            outputs.push_back(path);
        check_output_paths(outputs, {recipe.model});
    }
    const int status = execute_recipe(recipe, "prune", args.has("json"), context);
    if (status == 0 && recipe_path) { // only for a run that completed
        Recipe saved = recipe;
        relativize_export_paths(saved, *recipe_path);
        save_recipe(saved, *recipe_path);
    }
    return status;
}

int run_recipe(const ParsedArgs& args, CommandContext& context)
{
    const std::string path = model_argument(args); // the positional: RECIPE.json
    Recipe recipe = load_recipe(path);
    resolve_export_paths(recipe, path, args.has("allow-paths"));
    if (const auto out = args.value("out"))
        recipe.exports["checkpoint"] = *out;
    if (const auto size = args.value("max-memory"))
        recipe.max_memory = parse_byte_size(*size, "--max-memory");
    return execute_recipe(recipe, path, args.has("json"), context);
}

} // namespace prunelab::cli
