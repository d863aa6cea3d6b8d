#pragma once

// A Netron metrics sidecar: the `netron:attachment` JSON that Netron (9.x) reads beside a model
// and shows in its Metadata and Metrics sidebar sections. PruneLab writes, per layer (node) and
// per weight tensor, the sparsity and counts, FLOPs before/after, and statistics of the
// importance scores (all, kept and pruned); for the model its totals and the pruning settings.
// Open the model in Netron, then drop the sidecar on the window.

#include "engine/interop/exports.h"
#include "engine/pruning/importance.h"

#include <nlohmann/json.hpp>

#include <string>

namespace prunelab {

class PrunableNet;

/// The sidecar as JSON: {"signature": "netron:attachment", "metadata": [...], "metrics": [...]},
/// rows {"kind": "model"|"node"|"tensor", "target": name, "name", "value", "type"}. Tensor
/// targets are parameter names ("layer1.0.conv1.weight"), node targets layer names.
/// `importance` may be null (no score statistics then).
nlohmann::json netron_attachment(PrunableNet& net, const ImportanceResult* importance,
                                 const ReportContext& context);

/// Writes netron_attachment(...) atomically. @throws prunelab::Error naming the path.
void export_netron_attachment(PrunableNet& net, const ImportanceResult* importance,
                              const ReportContext& context, const std::string& path);

} // namespace prunelab
