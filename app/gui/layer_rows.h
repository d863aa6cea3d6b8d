#pragma once

#include "engine/session/session.h" // ModelInfo, the plain descriptions the session hands out
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"

namespace prunelab {

class Session;
struct LayerHistogram;

/// The layer table's rows for a model's current state; with a session, also each layer's rate,
/// whether it can be edited, and its locked/excluded flags.
QVector<LayerRow> toLayerRows(const ModelInfo& info, const Session* session = nullptr);

/// A layer's histogram as the histogram views take it.
HistogramData toHistogramData(const LayerHistogram& histogram);

} // namespace prunelab
