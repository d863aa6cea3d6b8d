#pragma once

// A recipe states a whole pruning run as JSON — model, data, criterion, granularity, per-layer
// rates or thresholds, exclusions, schedule, fine-tuning, exports — so `prunelab-cli run` can
// replay it: with the same seeds it reproduces the same masks bit for bit. Format:
// docs/recipe-format.md.

#include "engine/pruning/pruning_job.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace prunelab {

/// 2: global rates rank normalised scores with a per-layer cap ("normalizer", "max_layer_rate");
/// a version-1 recipe ranks raw scores without a cap, as it did when it was written.
inline constexpr int kRecipeFormatVersion = 2;

/// Optional distillation after the pruning (and its fine-tuning): the pruned model, masks held,
/// learns from a teacher — by default the recipe's model as it was before pruning.
struct RecipeDistill
{
    std::string teacher; ///< MODEL; empty: the unpruned model itself
    double temperature = 4.0;
    double alpha = 0.9;
    int epochs = 3;
    TrainOptions train = TrainOptions().lr(5e-4).lr_schedule("constant");
};

struct Recipe
{
    std::string model = "default";
    /// One sample's shape of each input (a TorchScript model that does not store them); empty:
    /// the model's own. JSON "input_shape": [3, 32, 32] for one input, "3,16,16;8" for several.
    InputShapes inputs;
    std::string data = "fashion-mnist";
    int64_t train_limit = 0;
    int64_t test_limit = 0;
    /// Share of the training data held out for validation (DataOptions). A recipe file
    /// without it reads 0: recipes written before it trained on the whole training split.
    double validation_fraction = 0.1;
    /// images:DIR preprocessing (DataOptions).
    double crop_ratio = 0.875;
    bool augment = true;
    std::string normalize = "auto";
    /// This machine's data memory cap (DataOptions::max_memory), never saved: a recipe travels.
    int64_t max_memory = 0;
    PruningJobOptions options; ///< initial_masks come from the model's checkpoint, not the recipe
    std::optional<RecipeDistill> distill;
    /// What to write: "checkpoint", "state_dict", "masks", "report" → path (relative paths are
    /// relative to the recipe's folder when loaded from a file).
    std::map<std::string, std::string> exports;
};

nlohmann::json recipe_to_json(const Recipe& recipe);

/// Strict: an unknown field, a wrong type, a rate outside [0, 1], an unknown criterion,
/// granularity or schedule is an error naming `label` and the field ("recipe.json:
/// allocation.rate 1.5 is outside [0, 1]").
/// @throws prunelab::Error
Recipe recipe_from_json(const nlohmann::json& json, const std::string& label);

/// @throws prunelab::Error naming the file: missing, not JSON, or as recipe_from_json.
Recipe load_recipe(const std::string& path);
/// Writes the recipe atomically. @throws prunelab::Error naming the path.
void save_recipe(const Recipe& recipe, const std::string& path);

/// Checks the layer names a recipe mentions against the model's prunable layers.
/// @throws prunelab::Error naming `label`, the layer and the layers there are.
void check_recipe_layers(const Recipe& recipe, PrunableNet& net, const std::string& label);

} // namespace prunelab
