#include "widgets/compaction_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace prunelab {
namespace {

QString speedup(double base, double value)
{
    return value > 0.0 ? QStringLiteral("%1×").arg(base / value, 0, 'f', 2) : QStringLiteral("–");
}

} // namespace

CompactionView::CompactionView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 8, this);
    m_table->setObjectName(QStringLiteral("compactionTable"));
    m_table->setHorizontalHeaderLabels({tr("Model"), tr("Params"), tr("Nonzero"), tr("MACs"),
                                        tr("Batch 1"), tr("Speedup"), tr("Batch 64"),
                                        tr("Speedup")});
    m_table->horizontalHeaderItem(4)->setToolTip(tr("Median forward time of one sample"));
    m_table->horizontalHeaderItem(6)->setToolTip(tr("Median forward time of a batch of 64"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 1);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("compactionDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_details);
    m_save = new QPushButton(tr("Save Compacted Model…"), this);
    m_save->setObjectName(QStringLiteral("saveCompactedButton"));
    m_save->setEnabled(false);
    connect(m_save, &QPushButton::clicked, this, &CompactionView::saveRequested);
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(m_save);
    layout->addLayout(row);
    reset();
}

void CompactionView::setComparison(const std::vector<CompactionRow>& rows,
                                   const QStringList& groups, const QStringList& notes,
                                   bool canSave)
{
    const QLocale locale;
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const auto& row = rows[size_t(r)];
        const auto& base = rows.front();
        const QStringList cells = {
            row.label,
            locale.toString(row.params),
            locale.toString(row.nonzero),
            locale.toString(row.flops),
            QStringLiteral("%1 ms").arg(row.latencyMs1, 0, 'f', row.latencyMs1 < 1 ? 3 : 2),
            speedup(base.latencyMs1, row.latencyMs1),
            QStringLiteral("%1 ms").arg(row.latencyMs64, 0, 'f', row.latencyMs64 < 10 ? 2 : 1),
            speedup(base.latencyMs64, row.latencyMs64)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, c, item);
        }
    }
    QStringList text;
    if (!groups.isEmpty())
        text << tr("Removed: %1.").arg(groups.join(QStringLiteral("; ")));
    text << notes;
    m_details->setText(text.join(QLatin1Char('\n')));
    m_save->setEnabled(canSave);
}

QString CompactionView::notesText() const
{
    return m_details->text();
}

void CompactionView::reset()
{
    clear(tr("Prune by filter or neuron, then Compact (Ctrl+K) to remove the pruned channels for "
             "real and time the smaller model."));
}

void CompactionView::clear(const QString& hint)
{
    m_table->setRowCount(0);
    m_details->setText(hint);
    m_save->setEnabled(false);
}

QString CompactionView::cellText(int row, int column) const
{
    const auto* item = m_table->item(row, column);
    return item ? item->text() : QString();
}

int CompactionView::rowCount() const
{
    return m_table->rowCount();
}

} // namespace prunelab
