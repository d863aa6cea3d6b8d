#include "engine/pruning/recipe_runner.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/data/data_spec.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/interop/exports.h"
#include "engine/interop/model_loader.h"
#include "engine/pruning/mask_set.h"
#include "engine/training/data_parallel.h"
#include "engine/training/distillation.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace prunelab {
namespace {

/// Distillation after pruning, masks held: from the unpruned model unless a teacher is named.
/// Returns false when cancelled.
bool distill_pruned(const Recipe& recipe, const std::shared_ptr<PrunableNet>& unpruned,
                    PrunableNet& student, const DataSplits& data, const MaskSet& masks,
                    const RecipeProgressCallback& progress, const std::atomic<bool>* cancel,
                    RecipeRunResult& result)
{
    const auto& d = *recipe.distill;
    const std::shared_ptr<PrunableNet> teacher =
        unpruned ? unpruned : load_model_for(d.teacher, &data).net;
    DistillOptions kd;
    kd.train = d.train;
    kd.train.epochs(d.epochs);
    kd.temperature(d.temperature).alpha(d.alpha);
    const auto distilled = distill(
        *teacher, student, data.train, &data.test, kd,
        [&](const TrainProgress& p) {
            if (progress)
                progress(
                    {"distill", p.fraction(), "epoch " + std::to_string(p.epoch), p.eta_seconds});
        },
        cancel, hold_masks(masks));
    if (distilled.training.cancelled)
        return false;
    result.accuracy = distilled.training.epochs.back().eval_accuracy;
    result.loss = distilled.training.epochs.back().eval_loss;
    result.distillation = {{"teacher", d.teacher.empty() ? recipe.model : d.teacher},
                           {"teacher_accuracy", distilled.teacher_accuracy},
                           {"accuracy", result.accuracy},
                           {"temperature", d.temperature},
                           {"alpha", d.alpha},
                           {"epochs", d.epochs}};
    return true;
}

void write_exports(const Recipe& recipe, Checkpoint& checkpoint, RecipeRunResult& result)
{
    const auto& exports = recipe.exports;
    if (exports.count("checkpoint")) {
        // Same format out as in: a TorchScript model is written as TorchScript, the pruning
        // folded into its weights (torch.jit.load opens it); the masks go to exports.masks.
        save_model(checkpoint, exports.at("checkpoint"));
        result.paths["checkpoint"] = exports.at("checkpoint");
    }
    if (exports.count("state_dict")) {
        export_state_dict(*checkpoint.net, exports.at("state_dict"));
        result.paths["state_dict"] = exports.at("state_dict");
    }
    if (exports.count("masks")) {
        export_masks(checkpoint.masks, exports.at("masks"));
        result.paths["masks"] = exports.at("masks");
    }
    if (exports.count("report")) {
        ReportContext report;
        report.data = result.data;
        report.accuracy_before = result.pruning.dense_accuracy;
        report.accuracy_after = result.accuracy;
        report.pruning = result.pruning_settings;
        export_report(result.info, report, exports.at("report"));
        result.paths["report"] = exports.at("report");
    }
}

} // namespace

RecipeRunResult run_recipe(const Recipe& recipe, const std::string& label,
                           const RecipeProgressCallback& progress, const std::atomic<bool>* cancel)
{
    if (recipe.exports.empty())
        throw Error(label +
                    ": nothing to write: give exports (checkpoint, state_dict, masks, report)");
    std::vector<std::string> outputs; // fail before minutes of work, not after
    for (const auto& [what, path] : recipe.exports)
        outputs.push_back(path);
    check_output_paths(outputs, {recipe.model});
    PruningJobOptions options = recipe.options;

    // The model says its input shape (built-ins, checkpoints, TorchScript that stores one, the
    // recipe's input_shape) and shapes synthetic data; a TorchScript model that does not takes
    // the data's.
    auto data_options = DataOptions()
                            .spec(recipe.data)
                            .train_limit(recipe.train_limit)
                            .test_limit(recipe.test_limit)
                            .validation_fraction(recipe.validation_fraction)
                            .crop_ratio(recipe.crop_ratio)
                            .augment(recipe.augment)
                            .normalize(recipe.normalize)
                            .max_memory(recipe.max_memory);
    std::optional<DataSplits> loaded;
    Checkpoint checkpoint;
    try {
        checkpoint = load_model_for(recipe.model, nullptr, 0, recipe.inputs);
    } catch (const UnknownInputShape&) {
        loaded = load_data(data_options);
        checkpoint = load_model_for(recipe.model, &*loaded, 0, recipe.inputs);
    }
    check_recipe_layers(recipe, *checkpoint.net, label);
    check_something_to_prune(*checkpoint.net, options);
    const DataSplits data =
        loaded ? std::move(*loaded)
               : load_data(data_options.synthetic_shape(checkpoint.net->spec().input_shape)
                               .synthetic_classes(checkpoint.net->spec().num_classes));
    options.initial_masks = MaskSet::from_tensors(checkpoint.masks, *checkpoint.net);
    // The unpruned model, kept as the default teacher of a recipe's distillation step.
    const std::shared_ptr<PrunableNet> unpruned =
        recipe.distill && recipe.distill->teacher.empty() ? replicate(*checkpoint.net) : nullptr;

    RecipeRunResult result;
    result.data = data.spec;
    result.pruning = run_pruning(
        *checkpoint.net, data, options,
        [&](const PruningProgress& p) {
            if (progress)
                progress({"prune", p.fraction,
                          "step " + std::to_string(p.step) + "/" + std::to_string(p.steps) + " " +
                              p.phase,
                          NAN});
        },
        cancel);
    if (result.pruning.cancelled || result.pruning.steps.empty()) {
        result.cancelled = true;
        return result;
    }
    result.accuracy = result.pruning.steps.back().accuracy;
    result.loss = result.pruning.steps.back().loss;
    if (recipe.distill && !distill_pruned(recipe, unpruned, *checkpoint.net, data,
                                          result.pruning.masks, progress, cancel, result)) {
        result.cancelled = true;
        return result;
    }

    checkpoint.masks = result.pruning.masks.to_bool();
    result.info = describe_model(*checkpoint.net);
    PruningRecord record;
    record.criterion = options.importance.criterion();
    record.granularity = to_string(options.importance.granularity());
    record.sparsity = result.info.sparsity();
    record.finetuned = options.finetune_epochs > 0 || options.final_finetune_epochs > 0;
    record.schedule = to_string(options.schedule);
    record.steps = options.steps;
    record.finetune_epochs = options.finetune_epochs;
    record.final_finetune_epochs = options.final_finetune_epochs;
    record.dense_accuracy = result.pruning.dense_accuracy;
    record.distillation = result.distillation;
    MetadataUpdate update;
    update.data = data.spec;
    if (result.pruning.fidelity) {
        update.test_fidelity = {{"cosine", result.accuracy},
                                {"relative_l2", result.loss},
                                {"reference", "the model before pruning (" + recipe.model + ")"}};
        record.dense_accuracy.reset(); // 1.0 against itself says nothing
    } else {
        update.test_accuracy = result.accuracy;
        update.test_loss = result.loss;
    }
    update.pruning = record;
    update.recipe = recipe_to_json(recipe);
    stamp_metadata(checkpoint.metadata, update);
    result.pruning_settings = checkpoint.metadata["pruning"];
    write_exports(recipe, checkpoint, result);
    return result;
}

void resolve_export_paths(Recipe& recipe, const std::string& recipe_path, bool allow_outside)
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(recipe_path).parent_path();
    for (auto& [what, file] : recipe.exports) {
        const fs::path path(file);
        const bool climbs = std::any_of(path.begin(), path.end(),
                                        [](const fs::path& part) { return part == ".."; });
        if (!allow_outside && (path.is_absolute() || climbs))
            throw Error(recipe_path + ": exports." + what + " '" + file +
                        "' is outside the recipe's folder; a recipe writes only beside itself "
                        "(give --allow-paths to let it write there)");
        if (!file.empty() && !path.is_absolute())
            file = (folder / path).string();
    }
}

void relativize_export_paths(Recipe& recipe, const std::string& recipe_path)
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::absolute(fs::path(recipe_path)).parent_path().lexically_normal();
    for (auto& [what, file] : recipe.exports) {
        const fs::path relative =
            fs::absolute(fs::path(file)).lexically_normal().lexically_relative(folder);
        if (!relative.empty() && *relative.begin() != "..")
            file = relative.string();
    }
}

} // namespace prunelab
