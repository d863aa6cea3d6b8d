#include "engine/model_loader.h"

#include "engine/error.h"
#include "engine/model_factory.h"

#include <filesystem>

namespace prunelab {
namespace embedded {
extern const unsigned char kDefaultCheckpoint[];
extern const std::size_t kDefaultCheckpointSize;
} // namespace embedded

bool has_embedded_default() { return embedded::kDefaultCheckpointSize > 0; }

Checkpoint load_embedded_default()
{
    if (!has_embedded_default())
        throw Error("this build has no embedded default model; run "
                    "scripts/make_default_checkpoint.sh and rebuild");
    const auto* begin = reinterpret_cast<const char*>(embedded::kDefaultCheckpoint);
    std::vector<char> bytes(begin, begin + embedded::kDefaultCheckpointSize);
    return load_checkpoint_bytes(bytes, "embedded default model");
}

Checkpoint load_model(const std::string& model, const LoadModelOptions& options)
{
    if (model == "default")
        return load_embedded_default();
    if (is_builtin_model(model)) {
        ModelSpec spec = default_model_spec(model);
        if (!options.input_shape.empty())
            spec.input_shape = options.input_shape;
        if (options.num_classes > 0)
            spec.num_classes = options.num_classes;
        Checkpoint checkpoint;
        checkpoint.net = create_model(spec, options.seed);
        checkpoint.metadata["trained"] = false;
        return checkpoint;
    }
    if (std::filesystem::exists(model))
        return load_checkpoint(model);
    std::string names;
    for (const auto& name : builtin_model_names())
        names += (names.empty() ? "" : ", ") + name;
    throw Error(model + ": no such file, and not a built-in model (" + names + ", default)");
}

} // namespace prunelab
