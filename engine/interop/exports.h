#pragma once

// Exports for Python: files torch.load reads without PruneLab. Each is written to a temporary
// file and renamed, so a failed export leaves what was at the path before.

#include "engine/interop/checkpoint.h"
#include "engine/models/model_info.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace prunelab {

/// The model's state_dict (parameters and buffers, PyTorch names, pruned weights zero) as a
/// plain dict: `model.load_state_dict(torch.load(path))` works for the equivalent PyTorch class
/// (docs/pytorch_models.py; torchvision's resnet18 for `resnet18`).
/// @throws prunelab::Error naming the path.
void export_state_dict(const PrunableNet& net, const std::string& path);

/// The masks as a dict of bool tensors under the parameter names (true keeps an element); an
/// empty dict for a dense model. @throws prunelab::Error naming the path.
void export_masks(const std::map<std::string, at::Tensor>& masks, const std::string& path);

/// What a pruning report says besides the model itself.
struct ReportContext
{
    std::string data; ///< DATA spec, or empty
    std::optional<double> accuracy_before;
    std::optional<double> accuracy_after;
    nlohmann::json pruning = nlohmann::json::object(); ///< criterion, granularity, schedule, ...
    /// Bytes on disk per storage (engine/export/storage_sizes.h); null leaves it out.
    nlohmann::json storage;
};

/// The report as JSON: per layer name, kind, shape, params, nonzero, sparsity, FLOPs before
/// (dense) and after (zero weights skipped); totals; data, accuracy before/after, pruning
/// settings, PruneLab version; `storage` when the context has it.
nlohmann::json pruning_report(const ModelInfo& info, const ReportContext& context);

/// Writes pruning_report(...) indented. @throws prunelab::Error naming the path.
void export_report(const ModelInfo& info, const ReportContext& context, const std::string& path);

} // namespace prunelab
