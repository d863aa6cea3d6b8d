#include "engine/interop/model_loader.h"

#include "engine/interop/checkpoint_metadata.h"
#include "engine/interop/script_net.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/models/model_factory.h"

#include <filesystem>

namespace prunelab {
namespace embedded {
extern const unsigned char kDefaultCheckpoint[];
extern const std::size_t kDefaultCheckpointSize;
} // namespace embedded

bool has_embedded_default()
{
    return embedded::kDefaultCheckpointSize > 0;
}

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
        if (options.inputs.size() > 1)
            throw Error(model + ": a built-in model takes one input, not " +
                        std::to_string(options.inputs.size()) + " (" +
                        format_input_shapes(options.inputs) + ")");
        if (!options.inputs.empty())
            spec.input_shape = options.inputs.front();
        if (options.num_classes > 0)
            spec.num_classes = options.num_classes;
        Checkpoint checkpoint;
        checkpoint.net = create_model(spec, options.seed);
        MetadataUpdate untrained;
        untrained.trained = false;
        untrained.source = model;
        stamp_metadata(checkpoint.metadata, untrained);
        return checkpoint;
    }
    if (std::filesystem::exists(model))
        check_regular_file(model); // a FIFO would block the reader below
    if (std::filesystem::exists(model) && is_torchscript_file(model)) {
        Checkpoint checkpoint;
        MetadataUpdate script;
        script.source = model;
        stamp_metadata(checkpoint.metadata, script);
        checkpoint.metadata["torchscript"] = model; // never written: TorchScript out stays so
        checkpoint.net = load_script_net(model, options.inputs, options.data_input_shape);
        return checkpoint;
    }
    if (std::filesystem::exists(model)) {
        try {
            return load_checkpoint(model);
        } catch (const Error& e) {
            // A model saved from Python with torch.save is the usual mistake: say what works.
            throw Error(
                std::string(e.what()) +
                "; a model made in Python must be TorchScript: torch.jit.script(model).save(path)");
        }
    }
    std::string names;
    for (const auto& name : builtin_model_names())
        names += (names.empty() ? "" : ", ") + name;
    throw Error(model + ": no such file, and not a built-in model (" + names + ", default)");
}

void save_model(const Checkpoint& checkpoint, const std::string& path)
{
    if (const auto* script = dynamic_cast<const ScriptNet*>(checkpoint.net.get()))
        script->save(path);
    else
        save_checkpoint(checkpoint, path);
}

Checkpoint load_model_for(const std::string& model, const DataSplits* data, uint64_t seed,
                          const InputShapes& inputs)
{
    LoadModelOptions options;
    options.seed = seed;
    options.inputs = inputs;
    if (data && is_builtin_model(model)) {
        if (options.inputs.empty())
            options.inputs = {data->train.sample_shape()};
        options.num_classes = data->train.num_classes;
    } else if (data) {
        options.data_input_shape = data->train.sample_shape();
    }
    return load_model(model, options);
}

} // namespace prunelab
