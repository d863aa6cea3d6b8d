#include "app/gui/builtin_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace prunelab {
namespace {

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t size : shape)
        parts << QString::number(size);
    return parts.join(QStringLiteral("×"));
}

} // namespace

BuiltinModelDialog::BuiltinModelDialog(std::vector<BuiltinModel> models, QWidget* parent)
    : QDialog(parent), m_models(std::move(models))
{
    setWindowTitle(tr("New from Built-in"));
    auto* layout = new QVBoxLayout(this);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("builtinModels"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Model"), tr("Input"), tr("Classes"), tr("Weights")});
    for (const auto& model : m_models) {
        auto* item = new QTreeWidgetItem(
            m_list, {QString::fromStdString(model.name), shapeText(model.input_shape),
                     QString::number(model.classes),
                     model.trained ? tr("trained") : tr("untrained: train it first")});
        item->setToolTip(0, QString::fromStdString(model.description));
        if (!model.trained)
            item->setForeground(3, QColor(0x8a, 0x5a, 0x00));
    }
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_list, 1);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("builtinDetails"));
    m_details->setWordWrap(true);
    layout->addWidget(m_details);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &QDialog::accept);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &BuiltinModelDialog::updateDetails);
    layout->addWidget(buttons);
    if (!m_models.empty())
        m_list->setCurrentItem(m_list->topLevelItem(0));
    resize(640, 420);
}

QString BuiltinModelDialog::selectedModel() const
{
    const auto* item = m_list->currentItem();
    return item ? item->text(0) : QString();
}

void BuiltinModelDialog::selectModel(const QString& name)
{
    for (int row = 0; row < m_list->topLevelItemCount(); ++row)
        if (m_list->topLevelItem(row)->text(0) == name)
            m_list->setCurrentItem(m_list->topLevelItem(row));
}

int BuiltinModelDialog::modelCount() const
{
    return m_list->topLevelItemCount();
}

QStringList BuiltinModelDialog::rowText(int row) const
{
    QStringList cells;
    if (const auto* item = m_list->topLevelItem(row))
        for (int column = 0; column < m_list->columnCount(); ++column)
            cells << item->text(column);
    return cells;
}

void BuiltinModelDialog::updateDetails()
{
    const int row = m_list->currentItem() ? m_list->indexOfTopLevelItem(m_list->currentItem()) : -1;
    if (row < 0 || row >= int(m_models.size())) {
        m_details->clear();
        return;
    }
    const auto& model = m_models[size_t(row)];
    m_details->setText(QString::fromStdString(model.description) +
                       (model.trained
                            ? tr(".")
                            : tr(". Opens with random weights at the Train stage: Prune ▸ Train… "
                                 "trains it in the background before pruning means anything.")));
}

} // namespace prunelab
