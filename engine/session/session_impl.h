#pragma once

// The torch side of Session, shared by session.cpp and session_jobs.cpp only.

#include "engine/data/dataset.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/models/model_state.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/recipe.h"
#include "engine/pruning/sensitivity.h"
#include "engine/pruning/sweep.h"
#include "engine/session/session.h"

#include <map>
#include <memory>
#include <set>

namespace prunelab {

struct Session::Impl
{
    std::string source;
    Checkpoint checkpoint; ///< the shown model and its metadata
    TensorMap original;    ///< parameters and buffers as opened
    TensorMap base;        ///< parameters thresholds start from
    MaskSet committed;     ///< masks the base carries (from a checkpoint or a fine-tune)
    MaskSet current;       ///< committed plus the thresholds: what the shown model has
    std::unique_ptr<Pruner> pruner;
    std::string criterion = "l1";
    std::string granularity = "weight";
    std::map<std::string, float> thresholds;
    /// Layers cut by a rate (typed or global): exactly this many pruned, ties at the threshold
    /// by index — the CLI's rule, so both prune the same elements. A dragged threshold has none.
    std::map<std::string, int64_t> counts;
    std::set<std::string> locked;
    std::set<std::string> excluded;
    ModelInfo layout; ///< shapes and dense FLOPs, traced once at open
    ModelInfo opened; ///< counts as opened
    DataChoice data;
    std::optional<double> relative_l2;        ///< beside `accuracy` when it is a fidelity
    std::shared_ptr<const DataSplits> splits; ///< loaded for `data`, once a job needed it
    std::optional<double> accuracy;
    uint64_t generation = 0;
    bool finetuned = false;
    bool threshold_masks = false; ///< whether thresholds pruned anything at the last apply
    std::shared_ptr<const SensitivityResult> sensitivity; ///< of the base, for `criterion`
    std::string sensitivity_key;                          ///< criterion/granularity it used
    bool auto_allocation = false;
    std::optional<ScoreNormalizer> normalizer; ///< of the global ranking; unset: by granularity
    std::optional<double> max_layer_rate;      ///< unset: by granularity
    uint64_t base_version = 0;  ///< counts changes of the base weights (commit, reset)
    bool base_is_opened = true; ///< the base is the opened weights (never trained or reset since)
    /// How the base was made from the opened model when one recipe can say it (thresholds, then
    /// one fine-tune); unset after any other change of the base.
    std::optional<Recipe> base_recipe;
    mutable std::optional<ModelInfo> info_cache; ///< counts of the shown model, until it changes
    std::shared_ptr<PrunableNet> compacted;      ///< of the shown model at compaction.generation
    std::optional<CompactionReport> compaction;
    MaskSet compacted_masks;
    nlohmann::json compacted_metadata;
    CompactionRecord compacted_record;

    PrunableNet& net() { return *checkpoint.net; }
    void init_from_checkpoint();
    void restore_base();
    /// Applies base + committed masks + thresholds to the shown model.
    void apply_thresholds();
    /// Cuts `layer` at exactly `count` elements (none for 0), without applying.
    void cut_exactly(const std::string& layer, int64_t count);
    void changed();
    void set_scores(ImportanceResult importance);
    /// Makes a trained copy the new base: its parameters and buffers, `masks` committed,
    /// thresholds cleared, `importance` the new scores.
    void commit(PrunableNet& trained, const MaskSet& masks, ImportanceResult importance);
    /// The loaded splits if they match `choice`, else null.
    std::shared_ptr<const DataSplits> cached_splits() const;
    /// "validation" or "test": where `accuracy` is measured (Session::accuracy_split).
    std::string accuracy_split() const
    {
        return data.validation_fraction > 0 ? "validation" : "test";
    }
    /// The checkpoint's recorded accuracy when it was measured on accuracy_split().
    std::optional<double> recorded_on_split() const;
    /// Records `accuracy` in a metadata update under the split it was measured on.
    void record_accuracy(MetadataUpdate& update) const;
};

/// A recipe of the shown thresholds on the opened model (no training).
Recipe threshold_recipe(const Session::Impl& impl);
/// The trainer settings of a workbench fine-tune (constant learning rate, masks held by the
/// caller).
TrainOptions fine_tune_options(const FineTuneSettings& settings);

/// Loads the data a choice names, shaped for the model when synthetic.
std::shared_ptr<const DataSplits> load_splits(const DataChoice& choice, const ModelSpec& spec);

} // namespace prunelab
