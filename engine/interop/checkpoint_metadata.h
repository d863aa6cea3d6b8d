#pragma once

// The one writer of a checkpoint's `metadata`: the CLI's train, prune, run, distill and compact
// and the window's Save Project, Export and Export Compacted all stamp what they know through
// stamp_metadata, so a checkpoint has the same keys in the same shape whoever wrote it
// (docs/checkpoint-format.md). Readers use the accessors, which tolerate older files.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace prunelab {

/// How a model was pruned, as `metadata.pruning` records it.
struct PruningRecord
{
    std::string criterion;
    std::string granularity;
    double sparsity = 0.0; ///< of all prunable weights, as written
    bool finetuned = false;
    /// By a schedule (the CLI, a recipe): "oneshot", "linear", "agp"; by hand: "interactive".
    std::string schedule = "interactive";
    int steps = 1;
    int finetune_epochs = 0;
    int final_finetune_epochs = 0;
    std::optional<double> dense_accuracy;  ///< before pruning, when measured
    nlohmann::json distillation = nullptr; ///< a recipe's distillation step, when it had one
};

/// What compaction removed, as `metadata.compaction` records it.
struct CompactionRecord
{
    std::string source;                              ///< the MODEL compacted
    nlohmann::json groups = nlohmann::json::array(); ///< leader, layers, channels before/after
    int64_t params_before = 0;
    int64_t params_after = 0;
    double max_abs_diff = 0.0; ///< largest output difference, compacted vs masked
};

/// Everything a writer may know; unset fields leave the metadata as it was.
struct MetadataUpdate
{
    std::optional<std::string> source; ///< the MODEL argument or file it came from
    std::optional<std::string> data;   ///< the DATA spec it was trained or evaluated on
    /// Test accuracy and loss on `data`. `accuracy_unknown` erases both (weights changed and
    /// were not measured), so no file claims an accuracy its weights do not have.
    std::optional<double> test_accuracy;
    std::optional<double> test_loss;
    /// Accuracy on the validation split held out of `data`'s training set (the window measures
    /// there; erased with the test accuracy).
    std::optional<double> validation_accuracy;
    bool accuracy_unknown = false;
    /// A model without classes: {"cosine", "relative_l2", "reference"} on `data`'s test split
    /// (it has no test_accuracy; writing this erases one).
    nlohmann::json test_fidelity = nullptr;
    std::optional<bool> trained;
    nlohmann::json normalization = nullptr; ///< {mean, std} of the training data
    nlohmann::json training = nullptr;      ///< the training settings
    std::optional<int64_t> train_samples;
    std::optional<int64_t> test_samples;
    std::optional<PruningRecord> pruning;
    std::optional<CompactionRecord> compaction;
    nlohmann::json distillation = nullptr; ///< a `distill` run: teacher, settings, epochs
    nlohmann::json recipe = nullptr;       ///< the recipe that reproduces this model
    std::optional<std::string> created;    ///< UTC time, "2026-11-28T15:00:00Z"
};

/// Merges `update` into `metadata` and stamps `prunelab_version`.
void stamp_metadata(nlohmann::json& metadata, const MetadataUpdate& update);

/// metadata.test_accuracy when it is a number.
std::optional<double> recorded_accuracy(const nlohmann::json& metadata);
/// Whether PruneLab trained these weights on every training sample of `data_spec`: the
/// metadata records training on that data without a positive validation_fraction (every model
/// trained before validation splits, or with --val-fraction 0). Such a model has seen every
/// validation sample, so decisions measure it on the test split.
bool saw_whole_training_split(const nlohmann::json& metadata, const std::string& data_spec);

/// metadata.data when it is a string.
std::optional<std::string> recorded_data(const nlohmann::json& metadata);

/// "2026-11-28T15:00:00Z"
std::string utc_now();

} // namespace prunelab
