#include "widgets/layer_table_model.h"

#include <QApplication>
#include <QFont>
#include <QIcon>
#include <QLocale>
#include <QStyle>

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
        total.effectiveFlops += layer.effectiveFlops;
    }
    total.rateEditable = false;
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
    if (role == Qt::TextAlignmentRole && index.column() >= ParamsColumn &&
        index.column() <= RateColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::CheckStateRole && !isTotals) {
        if (index.column() == LockedColumn)
            return row.locked ? Qt::Checked : Qt::Unchecked;
        if (index.column() == ExcludedColumn)
            return row.excluded ? Qt::Checked : Qt::Unchecked;
    }
    if (role == Qt::EditRole && index.column() == RateColumn)
        return row.rate * 100.0;
    const bool nearlyEmptied = !isTotals && row.rate >= kWarningRate - 1e-9;
    if (role == Qt::DecorationRole && index.column() == RateColumn && nearlyEmptied)
        return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    if (role == Qt::ToolTipRole && !isTotals) {
        switch (index.column()) {
        case RateColumn:
            if (!row.follows.isEmpty())
                return tr("Pruned with %1: a residual addition sums their channels, so they lose "
                          "the same ones (set %1's rate)")
                    .arg(row.follows);
            if (nearlyEmptied)
                return tr("This layer loses %1 of its elements: accuracy often collapses when "
                          "one layer loses this much. Type a lower rate, lock it, or lower the "
                          "global ranking's maximum per layer.")
                    .arg(QString::number(row.rate * 100.0, 'f', 1) + QLatin1Char('%'));
            return row.rateEditable ? tr("Share of this layer's scored elements pruned; type a "
                                         "percentage")
                                    : tr("Not pruned at this granularity");
        case LockedColumn:
            return tr("Locked layers keep their rate when the global rate moves");
        case ExcludedColumn:
            return tr("Excluded layers are never pruned");
        case FlopsColumn:
            return tr("%1 of %2 dense multiply-accumulates")
                .arg(formatCount(row.effectiveFlops), formatCount(row.flops));
        default:
            return {};
        }
    }
    if (role == Qt::UserRole) {
        // Raw values for sorting and for tests.
        switch (index.column()) {
        case ParamsColumn:
            return row.params;
        case KeptColumn:
            return row.nonzero;
        case SparsityColumn:
            return row.sparsity();
        case FlopsColumn:
            return row.effectiveFlops;
        case RateColumn:
            return row.rate;
        case LockedColumn:
            return row.locked;
        case ExcludedColumn:
            return row.excluded;
        default:
            return row.name;
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return row.name;
    case KindColumn:
        return row.kind;
    case ShapeColumn:
        return row.shape;
    case ParamsColumn:
        return formatCount(row.params);
    case KeptColumn:
        return formatCount(row.nonzero);
    case SparsityColumn:
        return QString::number(row.sparsity() * 100.0, 'f', 1) + QLatin1Char('%');
    case FlopsColumn:
        return formatCount(row.effectiveFlops);
    case RateColumn:
        if (!isTotals && !row.follows.isEmpty())
            return tr("= %1").arg(row.follows);
        if (isTotals || !row.rateEditable)
            return QString();
        return QString::number(row.rate * 100.0, 'f', 1) + QLatin1Char('%');
    default:
        return {};
    }
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (!index.isValid() || index.row() >= totalsRow())
        return f;
    const LayerRow& row = m_layers[index.row()];
    if (index.column() == RateColumn && row.rateEditable && !row.excluded)
        f |= Qt::ItemIsEditable;
    if (index.column() == LockedColumn || index.column() == ExcludedColumn)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || index.row() >= totalsRow())
        return false;
    const QString layer = m_layers[index.row()].name;
    if (index.column() == RateColumn && role == Qt::EditRole) {
        QString text = value.toString().trimmed();
        text.remove(QLatin1Char('%'));
        bool ok = false;
        const double percent = text.toDouble(&ok);
        if (!ok || !(percent >= 0.0 && percent <= 100.0))
            return false;
        emit rateEdited(layer, percent / 100.0);
        return true;
    }
    if (role == Qt::CheckStateRole &&
        (index.column() == LockedColumn || index.column() == ExcludedColumn)) {
        const bool on = value.toInt() == Qt::Checked;
        if (index.column() == LockedColumn)
            emit lockedToggled(layer, on);
        else
            emit excludedToggled(layer, on);
        return true;
    }
    return false;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Layer");
    case KindColumn:
        return tr("Kind");
    case ShapeColumn:
        return tr("Shape");
    case ParamsColumn:
        return tr("Params");
    case KeptColumn:
        return tr("Kept");
    case SparsityColumn:
        return tr("Sparsity");
    case FlopsColumn:
        return tr("FLOPs kept");
    case RateColumn:
        return tr("Rate");
    case LockedColumn:
        return tr("Locked");
    case ExcludedColumn:
        return tr("Excluded");
    default:
        return {};
    }
}

} // namespace prunelab
