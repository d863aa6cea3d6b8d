#pragma once

// Runs a recipe end to end — load its model and data, prune on its schedule, distil if it says
// so, write its exports — so the CLI's `prune` and `run`, a test or any other front end replay
// it the same way. With the recipe's seeds the masks and weights come out bit for bit the same.

#include "engine/models/model_info.h"
#include "engine/pruning/pruning_job.h"
#include "engine/pruning/recipe.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <string>

namespace prunelab {

/// Where a recipe run is: its stage ("prune", then "distill" when the recipe distils), the
/// fraction of that stage done, and what it is doing ("step 2/5 fine-tune", "epoch 1").
struct RecipeProgress
{
    std::string stage;
    double fraction = 0.0;
    std::string message;
    double eta_seconds = NAN;
};
using RecipeProgressCallback = std::function<void(const RecipeProgress&)>;

struct RecipeRunResult
{
    bool cancelled = false; ///< true: nothing was written
    std::string data;       ///< the DATA spec the run used
    PruningJobResult pruning;
    double accuracy = 0.0; ///< test accuracy of the written model (after distillation, if any)
    double loss = 0.0;
    /// Distillation settings and results (teacher, teacher_accuracy, accuracy, temperature,
    /// alpha, epochs); null when the recipe does not distil.
    nlohmann::json distillation = nullptr;
    /// The pruning settings as written into the checkpoint's metadata and the report.
    nlohmann::json pruning_settings = nlohmann::json::object();
    ModelInfo info;                           ///< of the written model
    std::map<std::string, std::string> paths; ///< export kind → path written
};

/// Replays `recipe`. Every export path is checked before any work; the exports are written only
/// when the whole run completes (a cancelled run writes nothing). `label` names the recipe in
/// errors (its file, or "prune").
/// @throws prunelab::Error for a recipe without exports, an unwritable export path, an unknown
///         layer, a model or data that cannot be loaded, or bad pruning options.
RecipeRunResult run_recipe(const Recipe& recipe, const std::string& label,
                           const RecipeProgressCallback& progress = {},
                           const std::atomic<bool>* cancel = nullptr);

/// Resolves a recipe loaded from `recipe_path`: relative export paths become relative to the
/// recipe's folder, so a recipe travels with its outputs. A recipe is data, not a permission:
/// an absolute export path, or one that climbs out of the folder with "..", is refused unless
/// `allow_outside` (the CLI's --allow-paths: the user vouches for it).
/// @throws prunelab::Error naming the recipe, the export and the path.
void resolve_export_paths(Recipe& recipe, const std::string& recipe_path,
                          bool allow_outside = false);
/// For a recipe about to be saved at `recipe_path`: export paths inside its folder are written
/// relative to it, so the saved recipe replays where it is, without --allow-paths.
void relativize_export_paths(Recipe& recipe, const std::string& recipe_path);

} // namespace prunelab
