#pragma once

#include "engine/model_info.h"
#include "widgets/layer_table_model.h"

namespace prunelab {

class Session;

/// The layer table's rows for a model's current state; with a session, also each layer's rate,
/// whether it can be edited, and its locked/excluded flags.
QVector<LayerRow> toLayerRows(const ModelInfo& info, const Session* session = nullptr);

} // namespace prunelab
