#pragma once

#include "engine/session/session.h"

#include <QDialog>
#include <QString>

#include <functional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace prunelab {

/// File ▸ Open Data: the data sets PruneLab reads (Fashion-MNIST installed or from a folder,
/// MNIST, CIFAR-10, an image folder, a tensors file, synthetic samples of a chosen shape), a
/// folder or file picker, the subset sizes and the validation share — with the model's
/// expected input shown at the top and every choice checked against it before the dialog
/// closes (a mismatch is explained and the dialog stays open).
class DataDialog : public QDialog
{
    Q_OBJECT
public:
    /// Says why a choice cannot feed the model, or returns empty (Session::data_problem).
    using Check = std::function<QString(const DataChoice&)>;

    /// `expected`: what the model takes, e.g. "one sample of 1×28×28, 10 classes".
    DataDialog(const QString& expected, const DataChoice& current, Check check,
               QWidget* parent = nullptr);

    /// The choice the controls describe now.
    DataChoice choice() const;
    /// The kinds, as their spec prefixes: "fashion-mnist", "fashion-mnist-folder", "mnist",
    /// "cifar10", "images", "tensors", "synthetic".
    QString kind() const;
    void setKind(const QString& kind);
    void setLocation(const QString& location);
    void setSyntheticShape(const QString& shape, int classes);
    /// The last check's complaint (empty when it passed or none ran).
    QString problem() const;

    /// Checks the choice; closes only when the model can be fed by it.
    void accept() override;

private:
    void browse();
    void updateControls();
    /// Fills the controls from a spec ("cifar10:/data/c", "synthetic:3,32,32,10", ...).
    void showSpec(const std::string& spec);

    Check m_check;
    QComboBox* m_kind = nullptr;
    QLineEdit* m_location = nullptr;
    QPushButton* m_browse = nullptr;
    QLineEdit* m_shape = nullptr;
    QSpinBox* m_classes = nullptr;
    QSpinBox* m_trainLimit = nullptr;
    QSpinBox* m_testLimit = nullptr;
    QDoubleSpinBox* m_validation = nullptr;
    QLabel* m_spec = nullptr;
    QLabel* m_problem = nullptr;
};

} // namespace prunelab
