#include "widgets/layer_table_model.h"

#include <QFont>
#include <QLocale>

namespace prunelab {

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setLayers(QVector<LayerRow> layers)
{
    beginResetModel();
    m_layers = std::move(layers);
    endResetModel();
}

void LayerTableModel::updateLayers(QVector<LayerRow> layers)
{
    if (layers.size() != m_layers.size()) {
        setLayers(std::move(layers));
        return;
    }
    m_layers = std::move(layers);
    if (!m_layers.isEmpty())
        emit dataChanged(index(0, 0), index(totalsRow(), ColumnCount - 1));
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || m_layers.isEmpty())
        return 0;
    return int(m_layers.size()) + 1;
}

int LayerTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LayerTableModel::formatCount(qint64 value)
{
    QLocale locale(QLocale::English);
    return locale.toString(value);
}

LayerRow LayerTableModel::totals() const
{
    LayerRow total;
    total.name = tr("Total");
    for (const auto& layer : m_layers) {
        total.params += layer.params;
        total.weights += layer.weights;
        total.nonzero += layer.nonzero;
        total.flops += layer.flops;
    }
    return total;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() > totalsRow())
        return {};
    const bool isTotals = index.row() == totalsRow();
    const LayerRow row = isTotals ? totals() : m_layers[index.row()];
    if (role == Qt::FontRole && isTotals) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && index.column() >= ParamsColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole) {
        // Raw values for sorting and for tests.
        switch (index.column()) {
        case ParamsColumn: return row.params;
        case KeptColumn: return row.nonzero;
        case SparsityColumn: return row.sparsity();
        case FlopsColumn: return row.flops;
        default: return row.name;
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn: return row.name;
    case KindColumn: return row.kind;
    case ShapeColumn: return row.shape;
    case ParamsColumn: return formatCount(row.params);
    case KeptColumn: return formatCount(row.nonzero);
    case SparsityColumn: return QString::number(row.sparsity() * 100.0, 'f', 1) + QLatin1Char('%');
    case FlopsColumn: return formatCount(row.flops);
    default: return {};
    }
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Layer");
    case KindColumn: return tr("Kind");
    case ShapeColumn: return tr("Shape");
    case ParamsColumn: return tr("Params");
    case KeptColumn: return tr("Kept");
    case SparsityColumn: return tr("Sparsity");
    case FlopsColumn: return tr("FLOPs");
    default: return {};
    }
}

} // namespace prunelab
