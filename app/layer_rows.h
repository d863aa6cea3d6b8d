#pragma once

#include "engine/model_info.h"
#include "widgets/layer_table_model.h"

namespace prunelab {

/// The engine's layer descriptions as the layer table's plain rows.
QVector<LayerRow> toLayerRows(const ModelInfo& info);

} // namespace prunelab
