#include "widgets/run_list.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMenu>

namespace prunelab {
namespace {

constexpr int kRunRole = Qt::UserRole; ///< the run's name as the view knows it

} // namespace

RunList::RunList(QWidget* parent) : QListWidget(parent)
{
    setObjectName(QStringLiteral("runList"));
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    setToolTip(tr("Runs: tick to show, double-click to rename, Delete to remove"));
    connect(this, &QListWidget::itemChanged, this, &RunList::onItemChanged);
}

void RunList::setRuns(const QStringList& runs, const QStringList& hidden)
{
    m_filling = true;
    clear();
    for (const QString& run : runs) {
        auto* item = new QListWidgetItem(run, this);
        item->setData(kRunRole, run);
        item->setToolTip(run);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsEditable);
        item->setCheckState(hidden.contains(run) ? Qt::Unchecked : Qt::Checked);
    }
    m_filling = false;
}

QStringList RunList::runs() const
{
    QStringList names;
    for (int row = 0; row < count(); ++row)
        names << item(row)->data(kRunRole).toString();
    return names;
}

void RunList::onItemChanged(QListWidgetItem* item)
{
    if (m_filling)
        return;
    const QString run = item->data(kRunRole).toString();
    const QString text = item->text().trimmed();
    if (text != run) {
        if (text.isEmpty()) { // an empty name is no name: put the old one back
            m_filling = true;
            item->setText(run);
            m_filling = false;
            return;
        }
        emit renameRequested(run, text);
        return;
    }
    emit visibilityToggled(run, item->checkState() == Qt::Checked);
}

void RunList::keyPressEvent(QKeyEvent* event)
{
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && currentItem() &&
        state() != QAbstractItemView::EditingState) {
        emit removeRequested(currentItem()->data(kRunRole).toString());
        return;
    }
    QListWidget::keyPressEvent(event);
}

void RunList::contextMenuEvent(QContextMenuEvent* event)
{
    QListWidgetItem* under = itemAt(event->pos());
    if (!under)
        return;
    const QString run = under->data(kRunRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Rename"), this, [this, under] { editItem(under); });
    menu.addAction(tr("Delete Run"), this, [this, run] { emit removeRequested(run); });
    menu.exec(event->globalPos());
}

} // namespace prunelab
