#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/progress_printer.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/version.h"
#include "engine/export/exports.h"
#include "engine/interop/model_loader.h"
#include "engine/interop/script_net.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/mask_set.h"
#include "engine/pruning/pruning_job.h"
#include "engine/pruning/recipe.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"

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

Recipe recipe_from_args(const ParsedArgs& args)
{
    Recipe recipe;
    recipe.model = model_argument(args);
    recipe.data = args.value_or("data", "fashion-mnist");
    recipe.train_limit = args.integer_or("train-limit", 0);
    recipe.test_limit = args.integer_or("test-limit", 0);
    if (recipe.train_limit < 0 || recipe.test_limit < 0)
        throw UsageError("--train-limit and --test-limit must not be negative");
    PruningJobOptions& options = recipe.options;
    options.importance.criterion(args.value_or("criterion", "l1"))
        .granularity(parse_granularity(args.value_or("granularity", "weight")))
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
    if (args.has("optimizer"))
        options.finetune.optimizer(*args.value("optimizer"));
    recipe.exports["checkpoint"] = args.required("out");
    for (const char* kind : {"state-dict", "masks", "report"})
        if (const auto path = args.value(kind))
            recipe.exports[std::string(kind) == "state-dict" ? "state_dict" : kind] = *path;
    return recipe;
}

/// Runs a recipe (from `prune`'s options or a file) and writes its exports.
int execute_recipe(const Recipe& recipe, const std::string& label, bool json_output,
                   CommandContext& context)
{
    if (recipe.exports.empty())
        throw UsageError("nothing to write: give exports (checkpoint, state_dict, masks, report)");
    for (const auto& [what, path] : recipe.exports)
        check_output_path(path); // fail before minutes of work, not after
    const std::string model = recipe.model;
    PruningJobOptions options = recipe.options;

    // A TorchScript model takes its input shape from the data; a built-in shapes the data.
    const bool script = is_torchscript_file(model);
    auto data_options = DataOptions()
                            .spec(recipe.data)
                            .train_limit(recipe.train_limit)
                            .test_limit(recipe.test_limit);
    std::optional<DataSplits> script_data;
    if (script)
        script_data = load_data(data_options);
    Checkpoint checkpoint = load_model_for(model, script ? &*script_data : nullptr);
    check_recipe_layers(recipe, *checkpoint.net, label);
    const DataSplits data =
        script ? std::move(*script_data)
               : load_data(data_options.synthetic_shape(checkpoint.net->spec().input_shape)
                               .synthetic_classes(checkpoint.net->spec().num_classes));
    const std::string out_path =
        recipe.exports.count("checkpoint") ? recipe.exports.at("checkpoint") : std::string();
    options.initial_masks = MaskSet::from_tensors(checkpoint.masks, *checkpoint.net);
    // The unpruned model, kept as the default teacher of a recipe's distillation step.
    const std::shared_ptr<PrunableNet> unpruned =
        recipe.distill && recipe.distill->teacher.empty() ? replicate(*checkpoint.net) : nullptr;

    ProgressPrinter printer("prune");
    const auto result = run_pruning(
        *checkpoint.net, data, options,
        [&](const PruningProgress& p) {
            printer.update(p.fraction, NAN,
                           "step " + std::to_string(p.step) + "/" + std::to_string(p.steps) + " " +
                               p.phase);
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

    PruningStep last = result.steps.back();
    nlohmann::json distilled = nullptr;
    if (recipe.distill) {
        // Distillation after pruning, masks held: from the unpruned model unless a teacher is
        // named.
        const auto& d = *recipe.distill;
        const std::shared_ptr<PrunableNet> teacher_net =
            unpruned ? unpruned : load_model_for(d.teacher, &data).net;
        DistillOptions kd;
        kd.train = d.train;
        kd.train.epochs(d.epochs);
        kd.temperature(d.temperature).alpha(d.alpha);
        ProgressPrinter kd_printer("distill");
        const auto kd_result = distill(
            *teacher_net, *checkpoint.net, data.train, &data.test, kd,
            [&](const TrainProgress& p) {
                kd_printer.update(p.fraction(), p.eta_seconds, "epoch " + std::to_string(p.epoch));
            },
            context.cancel, hold_masks(result.masks));
        kd_printer.finish();
        if (kd_result.training.cancelled) {
            context.err << "prunelab-cli: cancelled during distillation; nothing was written\n";
            return 130;
        }
        last.accuracy = kd_result.training.epochs.back().eval_accuracy;
        last.loss = kd_result.training.epochs.back().eval_loss;
        distilled = {{"teacher", d.teacher.empty() ? model : d.teacher},
                     {"teacher_accuracy", kd_result.teacher_accuracy},
                     {"accuracy", last.accuracy},
                     {"temperature", d.temperature},
                     {"alpha", d.alpha},
                     {"epochs", d.epochs}};
    }
    checkpoint.masks = result.masks.to_bool();
    nlohmann::json pruning = {{"criterion", options.importance.criterion()},
                              {"granularity", to_string(options.importance.granularity())},
                              {"schedule", to_string(options.schedule)},
                              {"steps", options.steps},
                              {"finetune_epochs", options.finetune_epochs},
                              {"final_finetune_epochs", options.final_finetune_epochs},
                              {"dense_accuracy", result.dense_accuracy},
                              {"distillation", distilled}};
    checkpoint.metadata["pruning"] = pruning;
    checkpoint.metadata["data"] = data.spec;
    checkpoint.metadata["test_accuracy"] = last.accuracy;
    checkpoint.metadata["test_loss"] = last.loss;
    checkpoint.metadata["prunelab_version"] = kVersion;
    checkpoint.metadata["recipe"] = recipe_to_json(recipe);
    const ModelInfo info = describe_model(*checkpoint.net);
    nlohmann::json paths = nlohmann::json::object();
    if (!out_path.empty()) {
        // Same format out as in: a TorchScript model is written as TorchScript, the pruning
        // folded into its weights (torch.jit.load opens it); the masks go to exports.masks.
        save_model(checkpoint, out_path);
        paths["checkpoint"] = out_path;
    }
    if (recipe.exports.count("state_dict")) {
        export_state_dict(*checkpoint.net, recipe.exports.at("state_dict"));
        paths["state_dict"] = recipe.exports.at("state_dict");
    }
    if (recipe.exports.count("masks")) {
        export_masks(checkpoint.masks, recipe.exports.at("masks"));
        paths["masks"] = recipe.exports.at("masks");
    }
    if (recipe.exports.count("report")) {
        ReportContext report;
        report.data = data.spec;
        report.accuracy_before = result.dense_accuracy;
        report.accuracy_after = last.accuracy;
        report.pruning = pruning;
        export_report(info, report, recipe.exports.at("report"));
        paths["report"] = recipe.exports.at("report");
    }

    if (json_output) {
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
        json["paths"] = paths;
        print_json_line(context.out, json);
        return 0;
    }
    print_layer_table(context.out, info);
    char line[240];
    std::snprintf(line, sizeof line,
                  "pruned %s (%s, %s): sparsity %.2f%%, accuracy %.2f%% (dense %.2f%%)\n",
                  model.c_str(), options.importance.criterion().c_str(),
                  to_string(options.importance.granularity()).c_str(), info.sparsity() * 100.0,
                  last.accuracy * 100.0, result.dense_accuracy * 100.0);
    context.out << line;
    for (const auto& [what, path] : paths.items())
        context.out << "wrote " << what << " " << path.get<std::string>() << "\n";
    return 0;
}

} // namespace

int run_prune(const ParsedArgs& args, CommandContext& context)
{
    const Recipe recipe = recipe_from_args(args);
    const auto recipe_path = args.value("save-recipe");
    if (recipe_path)
        check_output_path(*recipe_path);
    const int status = execute_recipe(recipe, "prune", args.has("json"), context);
    if (status == 0 && recipe_path)
        save_recipe(recipe, *recipe_path); // only for a run that completed
    return status;
}

int run_recipe(const ParsedArgs& args, CommandContext& context)
{
    const std::string path = model_argument(args); // the positional: RECIPE.json
    Recipe recipe = load_recipe(path);
    // Relative export paths are relative to the recipe's folder, so a recipe travels with them.
    const std::string::size_type slash = path.find_last_of('/');
    const std::string folder =
        slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    for (auto& [what, file] : recipe.exports)
        if (!file.empty() && file[0] != '/')
            file = folder + file;
    if (const auto out = args.value("out"))
        recipe.exports["checkpoint"] = *out;
    return execute_recipe(recipe, path, args.has("json"), context);
}

} // namespace prunelab::cli
