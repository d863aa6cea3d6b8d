#pragma once

#include "engine/interop/checkpoint.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

struct DataSplits;

/// How a built-in model is shaped when MODEL names one (a checkpoint keeps its own shape).
struct LoadModelOptions
{
    /// One sample's shape of each input (the user's --input-shape): shapes a built-in (one
    /// input), overrides what a TorchScript model stores. Empty: the model's own.
    InputShapes inputs;
    /// The data set's sample shape: a TorchScript model without a stored shape takes it.
    std::vector<int64_t> data_input_shape;
    int64_t num_classes = 0; ///< 0 keeps the model's default
    uint64_t seed = 0;       ///< initialization seed of a fresh built-in model
};

/// True when this build carries the trained default ConvNet.
bool has_embedded_default();

/// The embedded, trained seed ConvNet (Fashion-MNIST).
/// @throws prunelab::Error when this build has none (see scripts/make_default_checkpoint.sh).
Checkpoint load_embedded_default();

/// Resolves a MODEL argument: `default` (the embedded checkpoint), a built-in name (a freshly
/// initialized model), the path of a PruneLab checkpoint, or the path of a TorchScript model
/// (its input shapes from `options.inputs`, else the one stored in the file, else
/// `options.data_input_shape`, else an error saying which flag to give).
/// @throws prunelab::Error naming the argument when it is none of these or cannot be read.
Checkpoint load_model(const std::string& model, const LoadModelOptions& options = {});

/// load_model for a run on `data`: a built-in model or a TorchScript model takes the data's
/// sample shape (and a built-in its class count); a checkpoint keeps its own. `data` may be null.
Checkpoint load_model_for(const std::string& model, const DataSplits* data, uint64_t seed = 0,
                          const InputShapes& inputs = {});

/// Writes a model the way load_model reads it back: a TorchScript model as TorchScript (the
/// pruning folded into its weights; the masks are not stored), any other as a PruneLab
/// checkpoint with its masks and metadata. Atomically.
/// @throws prunelab::Error naming the path; a file already there stays intact.
void save_model(const Checkpoint& checkpoint, const std::string& path);

} // namespace prunelab
