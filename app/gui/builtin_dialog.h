#pragma once

#include "engine/session/session.h"

#include <QDialog>
#include <QString>

#include <vector>

class QTreeWidget;
class QLabel;

namespace prunelab {

/// File ▸ New from Built-in: the model zoo, one row each with its input, classes and whether
/// trained weights ship with it (the others open untrained, at the pipeline's Train stage).
class BuiltinModelDialog : public QDialog
{
    Q_OBJECT
public:
    explicit BuiltinModelDialog(std::vector<BuiltinModel> models, QWidget* parent = nullptr);

    /// The chosen model's name ("default", "resnet20", ...), empty when none is selected.
    QString selectedModel() const;
    void selectModel(const QString& name);
    int modelCount() const;
    /// A row's cells, for tests: name, input, classes, weights.
    QStringList rowText(int row) const;

private:
    void updateDetails();

    std::vector<BuiltinModel> m_models;
    QTreeWidget* m_list = nullptr;
    QLabel* m_details = nullptr;
};

} // namespace prunelab
