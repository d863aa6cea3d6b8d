#include "app/gui/layer_rows.h"

#include "engine/session/session.h"

namespace prunelab {

QVector<LayerRow> toLayerRows(const ModelInfo& info, const Session* session)
{
    QVector<LayerRow> rows;
    rows.reserve(qsizetype(info.layers.size()));
    const auto locked = session ? session->locked() : std::set<std::string>();
    const auto excluded = session ? session->excluded() : std::set<std::string>();
    for (const auto& layer : info.layers) {
        LayerRow row;
        row.name = QString::fromStdString(layer.name);
        row.kind = QString::fromStdString(layer.kind);
        row.shape = QString::fromStdString(format_shape(layer.weight_shape));
        row.params = layer.params;
        row.weights = layer.weight_count;
        row.nonzero = layer.nonzero_weights;
        row.flops = layer.flops;
        row.effectiveFlops = layer.effective_flops;
        row.locked = locked.count(layer.name) > 0;
        row.excluded = excluded.count(layer.name) > 0;
        if (session && session->is_scored()) {
            row.rateEditable = session->applies_to(layer.name);
            row.follows = QString::fromStdString(session->group_leader(layer.name));
            row.rate = session->prune_state(layer.name).rate();
        } else {
            row.rateEditable = false;
        }
        rows.push_back(row);
    }
    return rows;
}

HistogramData toHistogramData(const LayerHistogram& h)
{
    HistogramData data;
    data.layer = QString::fromStdString(h.layer);
    data.binLefts = QVector<double>(h.bin_lefts.begin(), h.bin_lefts.end());
    data.binWidth = h.bin_width;
    data.counts = QVector<double>(h.counts.begin(), h.counts.end());
    data.total = h.total;
    data.log10 = h.log10;
    data.notShown = h.not_shown;
    return data;
}

} // namespace prunelab
