#pragma once

#include "engine/models/models.h"

#include <memory>
#include <string>
#include <vector>

namespace prunelab {

/// Names accepted as MODEL: convnet, lenet300, lenet5, vgg-small, resnet20, resnet18, vit-tiny,
/// lstm, gru.
std::vector<std::string> builtin_model_names();

/// True when `name` is a built-in model name.
bool is_builtin_model(const std::string& name);

/// The spec a built-in model has by default (input shape and classes it was designed for).
/// @throws prunelab::Error for an unknown name.
ModelSpec default_model_spec(const std::string& name);

/// Builds a freshly initialized built-in model, seeded for reproducible initial weights.
/// @throws prunelab::Error for an unknown name or an input shape the model cannot take.
std::shared_ptr<PrunableNet> create_model(const ModelSpec& spec, uint64_t seed = 0);

} // namespace prunelab
