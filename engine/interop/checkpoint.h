#pragma once

#include "engine/models/models.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace prunelab {

/// A PruneLab checkpoint: the model (its spec and weights), its pruning masks, and metadata
/// (data set, accuracy, training settings, ...). Stored as a torch pickle archive, so Python's
/// `torch.load` reads it too: a dict with "format", "format_version", "model" (JSON),
/// "metadata" (JSON), "state_dict" and "masks" (name → tensor).
struct Checkpoint
{
    std::shared_ptr<PrunableNet> net;
    std::map<std::string, at::Tensor> masks; ///< parameter name → bool mask (empty if dense)
    nlohmann::json metadata = nlohmann::json::object();
};

inline constexpr int kCheckpointFormatVersion = 1;

/// The model's parameters and buffers by PyTorch state_dict name.
std::map<std::string, at::Tensor> state_dict(const PrunableNet& net);

/// Copies weights into the model by state_dict name.
/// @throws prunelab::Error naming `label` and the tensor when one is missing or of another shape.
void load_state_dict(PrunableNet& net, const std::map<std::string, at::Tensor>& weights,
                     const std::string& label);

/// How a checkpoint stores its tensors. Sparse (format version 2, docs/sparse-format.md): each
/// tensor as a bitmask or CSR of its kept elements plus their values, masks recovered from the
/// kept positions — what weight pruning saves on disk; `int8` also quantizes the kept weight
/// values per output channel (the loaded weights are the de-quantized ones).
struct CheckpointStorage
{
    bool sparse = false;
    bool int8 = false; ///< implies sparse
};

/// Serializes a checkpoint to bytes.
std::vector<char> checkpoint_bytes(const Checkpoint& checkpoint,
                                   const CheckpointStorage& storage = {});

/// Writes a checkpoint atomically (temporary file, then rename).
/// @throws prunelab::Error naming the path when it cannot be written; an existing file there
///         is left untouched.
void save_checkpoint(const Checkpoint& checkpoint, const std::string& path,
                     const CheckpointStorage& storage = {});

/// Reads a checkpoint and rebuilds its model.
/// @throws prunelab::Error naming the file: missing, not a PruneLab checkpoint, corrupt,
///         a newer format, or weights that do not fit the model.
Checkpoint load_checkpoint(const std::string& path);

/// As load_checkpoint, from bytes; `label` names the source in error messages.
Checkpoint load_checkpoint_bytes(const std::vector<char>& bytes, const std::string& label);

} // namespace prunelab
