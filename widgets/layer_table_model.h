#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVector>

namespace prunelab {

/// One prunable layer as the layer table shows it. Plain data: the app fills it from the engine.
struct LayerRow
{
    QString name;
    QString kind;
    QString shape;
    qint64 params = 0;
    qint64 weights = 0;
    qint64 nonzero = 0;
    qint64 flops = 0;          ///< dense multiply-accumulates
    qint64 effectiveFlops = 0; ///< with zero weights skipped
    double rate = 0.0;         ///< fraction of the layer's scored elements pruned
    bool rateEditable = true;  ///< false where the granularity does not prune the layer
    /// The layer whose rate prunes this one too (its channels are summed with it); empty when
    /// the layer has its own.
    QString follows;
    bool locked = false;
    bool excluded = false;
    double sparsity() const { return weights == 0 ? 0.0 : 1.0 - double(nonzero) / double(weights); }
};

/// Table model of prunable layers with a totals row at the bottom.
/// Columns: Layer, Kind, Shape, Params, Kept, Sparsity, FLOPs (kept), Rate, Locked, Excluded.
/// Rate, Locked and Excluded are editable: edits are reported by signals, not stored; the app
/// applies them and answers with updateLayers (so undo and the engine stay the one truth).
class LayerTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        KindColumn,
        ShapeColumn,
        ParamsColumn,
        KeptColumn,
        SparsityColumn,
        FlopsColumn,
        RateColumn,
        LockedColumn,
        ExcludedColumn,
        ColumnCount
    };

    explicit LayerTableModel(QObject* parent = nullptr);

    /// Replaces every row.
    void setLayers(QVector<LayerRow> layers);
    /// Updates the values of the same layers in place (selection and scroll survive); falls
    /// back to setLayers when the layer count differs.
    void updateLayers(QVector<LayerRow> layers);
    const QVector<LayerRow>& layers() const { return m_layers; }
    /// The row index of the totals row (== layers().size()).
    int totalsRow() const { return int(m_layers.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    /// A layer that loses this share or more shows a warning icon in its Rate cell.
    static constexpr double kWarningRate = 0.9;

    /// "1,234" with the locale's grouping.
    static QString formatCount(qint64 value);

signals:
    /// The user typed a rate (0..1) for a layer.
    void rateEdited(const QString& layer, double rate);
    void lockedToggled(const QString& layer, bool locked);
    void excludedToggled(const QString& layer, bool excluded);

private:
    LayerRow totals() const;
    QVector<LayerRow> m_layers;
};

} // namespace prunelab
