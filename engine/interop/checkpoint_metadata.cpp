#include "engine/interop/checkpoint_metadata.h"

#include "engine/core/version.h"

#include <ctime>

namespace prunelab {
namespace {

nlohmann::json to_json(const PruningRecord& r)
{
    nlohmann::json json = {{"criterion", r.criterion},
                           {"granularity", r.granularity},
                           {"sparsity", r.sparsity},
                           {"finetuned", r.finetuned},
                           {"schedule", r.schedule},
                           {"steps", r.steps},
                           {"finetune_epochs", r.finetune_epochs},
                           {"final_finetune_epochs", r.final_finetune_epochs},
                           {"distillation", r.distillation}};
    json["dense_accuracy"] = r.dense_accuracy ? nlohmann::json(*r.dense_accuracy) : nullptr;
    return json;
}

nlohmann::json to_json(const CompactionRecord& r)
{
    return {{"source", r.source},
            {"groups", r.groups},
            {"params_before", r.params_before},
            {"params_after", r.params_after},
            {"max_abs_diff", r.max_abs_diff}};
}

} // namespace

void stamp_metadata(nlohmann::json& metadata, const MetadataUpdate& u)
{
    if (!metadata.is_object())
        metadata = nlohmann::json::object();
    if (u.source)
        metadata["source"] = *u.source;
    if (u.data)
        metadata["data"] = *u.data;
    if (u.accuracy_unknown || !u.test_fidelity.is_null()) {
        metadata.erase("test_accuracy");
        metadata.erase("test_loss");
        metadata.erase("test_fidelity");
        metadata.erase("validation_accuracy");
    }
    if (u.validation_accuracy)
        metadata["validation_accuracy"] = *u.validation_accuracy;
    if (!u.test_fidelity.is_null())
        metadata["test_fidelity"] = u.test_fidelity;
    if (u.test_accuracy)
        metadata["test_accuracy"] = *u.test_accuracy;
    if (u.test_loss)
        metadata["test_loss"] = *u.test_loss;
    if (u.trained)
        metadata["trained"] = *u.trained;
    if (!u.normalization.is_null())
        metadata["normalization"] = u.normalization;
    if (!u.training.is_null())
        metadata["training"] = u.training;
    if (u.train_samples)
        metadata["train_samples"] = *u.train_samples;
    if (u.test_samples)
        metadata["test_samples"] = *u.test_samples;
    if (u.pruning)
        metadata["pruning"] = to_json(*u.pruning);
    if (u.compaction)
        metadata["compaction"] = to_json(*u.compaction);
    if (!u.distillation.is_null())
        metadata["distillation"] = u.distillation;
    if (!u.recipe.is_null())
        metadata["recipe"] = u.recipe;
    if (u.created)
        metadata["created"] = *u.created;
    metadata["prunelab_version"] = kVersion;
}

std::optional<double> recorded_accuracy(const nlohmann::json& metadata)
{
    if (metadata.is_object() && metadata.contains("test_accuracy") &&
        metadata["test_accuracy"].is_number())
        return metadata["test_accuracy"].get<double>();
    return std::nullopt;
}

bool saw_whole_training_split(const nlohmann::json& metadata, const std::string& data_spec)
{
    if (!metadata.is_object() || recorded_data(metadata) != data_spec ||
        !metadata.contains("training") || !metadata["training"].is_object())
        return false;
    const auto& training = metadata["training"];
    const auto fraction = training.find("validation_fraction");
    return fraction == training.end() || !fraction->is_number() || !(fraction->get<double>() > 0);
}

std::optional<std::string> recorded_data(const nlohmann::json& metadata)
{
    if (metadata.is_object() && metadata.contains("data") && metadata["data"].is_string())
        return metadata["data"].get<std::string>();
    return std::nullopt;
}

std::string utc_now()
{
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::tm parts{};
    gmtime_r(&now, &parts);
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

} // namespace prunelab
