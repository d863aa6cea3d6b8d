#include "app/layer_rows.h"

namespace prunelab {

QVector<LayerRow> toLayerRows(const ModelInfo& info)
{
    QVector<LayerRow> rows;
    rows.reserve(qsizetype(info.layers.size()));
    for (const auto& layer : info.layers) {
        LayerRow row;
        row.name = QString::fromStdString(layer.name);
        row.kind = QString::fromStdString(layer.kind);
        row.shape = QString::fromStdString(format_shape(layer.weight_shape));
        row.params = layer.params;
        row.weights = layer.weight_count;
        row.nonzero = layer.nonzero_weights;
        row.flops = layer.flops;
        rows.push_back(row);
    }
    return rows;
}

} // namespace prunelab
