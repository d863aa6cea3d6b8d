#include "app/gui/data_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace prunelab {
namespace {

struct Kind
{
    const char* prefix; ///< the spec's prefix ("fashion-mnist-folder" is fashion-mnist:DIR)
    const char* text;
    enum class Location
    {
        None,
        Folder,
        File
    } location;
    const char* hint;
};

const Kind kKinds[] = {
    {"fashion-mnist", QT_TRANSLATE_NOOP("DataDialog", "Fashion-MNIST (installed)"),
     Kind::Location::None,
     QT_TRANSLATE_NOOP("DataDialog", "Debian's dataset-fashion-mnist: 28×28 grey images, 10 "
                                     "classes")},
    {"fashion-mnist-folder", QT_TRANSLATE_NOOP("DataDialog", "Fashion-MNIST from a folder"),
     Kind::Location::Folder,
     QT_TRANSLATE_NOOP("DataDialog", "A folder with the four IDX files (.gz or not)")},
    {"mnist", QT_TRANSLATE_NOOP("DataDialog", "MNIST (IDX folder)"), Kind::Location::Folder,
     QT_TRANSLATE_NOOP("DataDialog", "A folder with MNIST's four IDX files (.gz or not)")},
    {"cifar10", QT_TRANSLATE_NOOP("DataDialog", "CIFAR-10 (binary folder)"), Kind::Location::Folder,
     QT_TRANSLATE_NOOP("DataDialog",
                       "cifar-10-batches-bin: data_batch_1..5.bin and test_batch.bin")},
    {"images", QT_TRANSLATE_NOOP("DataDialog", "Image folder (a sub-folder per class)"),
     Kind::Location::Folder,
     QT_TRANSLATE_NOOP("DataDialog", "train/ and test/ (or one folder split 80/20), each with "
                                     "one sub-folder of PNG/JPEG files per class; resized to "
                                     "the model's input")},
    {"tensors", QT_TRANSLATE_NOOP("DataDialog", "Tensors file (torch.save)"), Kind::Location::File,
     QT_TRANSLATE_NOOP("DataDialog", "A dict with x (inputs) and optionally y (labels), saved "
                                     "with torch.save in Python")},
    {"synthetic", QT_TRANSLATE_NOOP("DataDialog", "Synthetic (random samples)"),
     Kind::Location::None,
     QT_TRANSLATE_NOOP("DataDialog", "Random inputs of a chosen shape with random labels: "
                                     "enough to prune and time a model, not to judge accuracy")},
};

const Kind* findKind(const QString& prefix)
{
    for (const auto& kind : kKinds)
        if (prefix == QLatin1String(kind.prefix))
            return &kind;
    return nullptr;
}

} // namespace

DataDialog::DataDialog(const QString& expected, const DataChoice& current, Check check,
                       QWidget* parent)
    : QDialog(parent), m_check(std::move(check))
{
    setWindowTitle(tr("Data"));
    auto* layout = new QVBoxLayout(this);
    auto* expects = new QLabel(tr("The model takes %1.").arg(expected), this);
    expects->setObjectName(QStringLiteral("expectedInput"));
    expects->setWordWrap(true);
    layout->addWidget(expects);

    auto* form = new QFormLayout;
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("dataKind"));
    for (const auto& kind : kKinds) {
        m_kind->addItem(tr(kind.text), QString::fromLatin1(kind.prefix));
        m_kind->setItemData(m_kind->count() - 1, tr(kind.hint), Qt::ToolTipRole);
    }
    form->addRow(tr("Data set"), m_kind);

    m_location = new QLineEdit(this);
    m_location->setObjectName(QStringLiteral("dataLocation"));
    m_browse = new QPushButton(tr("Browse…"), this);
    auto* where = new QHBoxLayout;
    where->addWidget(m_location, 1);
    where->addWidget(m_browse);
    form->addRow(tr("Folder or file"), where);

    m_shape = new QLineEdit(this);
    m_shape->setObjectName(QStringLiteral("syntheticShape"));
    m_shape->setPlaceholderText(tr("C,H,W — empty: the model's input"));
    m_classes = new QSpinBox(this);
    m_classes->setRange(1, 100000);
    m_classes->setValue(10);
    auto* synthetic = new QHBoxLayout;
    synthetic->addWidget(m_shape, 1);
    synthetic->addWidget(new QLabel(tr("classes"), this));
    synthetic->addWidget(m_classes);
    form->addRow(tr("Synthetic shape"), synthetic);

    m_trainLimit = new QSpinBox(this);
    m_trainLimit->setRange(0, 100000000);
    m_trainLimit->setSpecialValueText(tr("all"));
    m_trainLimit->setValue(int(current.train_limit));
    m_testLimit = new QSpinBox(this);
    m_testLimit->setRange(0, 100000000);
    m_testLimit->setSpecialValueText(tr("all"));
    m_testLimit->setValue(int(current.test_limit));
    form->addRow(tr("First training samples"), m_trainLimit);
    form->addRow(tr("First test samples"), m_testLimit);
    m_validation = new QDoubleSpinBox(this);
    m_validation->setRange(0.0, 50.0);
    m_validation->setSuffix(QStringLiteral(" %"));
    m_validation->setValue(current.validation_fraction * 100.0);
    m_validation->setToolTip(tr("Share of the training split held out for the accuracy the "
                                "window shows while you prune (0: the test split)"));
    form->addRow(tr("Validation share"), m_validation);
    layout->addLayout(form);

    m_spec = new QLabel(this);
    m_spec->setObjectName(QStringLiteral("dataSpec"));
    m_spec->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_spec);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("dataProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color:#b00020"));
    layout->addWidget(m_problem);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &DataDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &DataDialog::reject);
    layout->addWidget(buttons);

    showSpec(current.spec);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &DataDialog::updateControls);
    connect(m_location, &QLineEdit::textChanged, this, &DataDialog::updateControls);
    connect(m_shape, &QLineEdit::textChanged, this, &DataDialog::updateControls);
    connect(m_classes, &QSpinBox::valueChanged, this, &DataDialog::updateControls);
    connect(m_browse, &QPushButton::clicked, this, &DataDialog::browse);
    updateControls();
    resize(560, sizeHint().height());
}

void DataDialog::showSpec(const std::string& spec)
{
    const QString text = QString::fromStdString(spec);
    const int colon = text.indexOf(QLatin1Char(':'));
    QString prefix = colon < 0 ? text : text.left(colon);
    const QString rest = colon < 0 ? QString() : text.mid(colon + 1);
    if (prefix == QLatin1String("fashion-mnist") && !rest.isEmpty())
        prefix = QStringLiteral("fashion-mnist-folder");
    setKind(findKind(prefix) ? prefix : QStringLiteral("fashion-mnist"));
    if (prefix == QLatin1String("synthetic")) {
        const QStringList parts = rest.split(QLatin1Char(','), Qt::SkipEmptyParts);
        // C,H,W[,CLASSES]: a fourth number is the class count.
        if (parts.size() == 4)
            setSyntheticShape(parts.mid(0, 3).join(QLatin1Char(',')), parts[3].toInt());
        else
            m_shape->setText(rest);
    } else {
        m_location->setText(rest);
    }
}

QString DataDialog::kind() const
{
    return m_kind->currentData().toString();
}

void DataDialog::setKind(const QString& kind)
{
    const int index = m_kind->findData(kind);
    if (index >= 0)
        m_kind->setCurrentIndex(index);
}

void DataDialog::setLocation(const QString& location)
{
    m_location->setText(location);
}

void DataDialog::setSyntheticShape(const QString& shape, int classes)
{
    m_shape->setText(shape);
    m_classes->setValue(classes);
}

QString DataDialog::problem() const
{
    return m_problem->text();
}

DataChoice DataDialog::choice() const
{
    DataChoice choice;
    const QString prefix = kind();
    QString spec;
    if (prefix == QLatin1String("fashion-mnist"))
        spec = prefix;
    else if (prefix == QLatin1String("fashion-mnist-folder"))
        spec = QStringLiteral("fashion-mnist:") + m_location->text().trimmed();
    else if (prefix == QLatin1String("synthetic"))
        spec = m_shape->text().trimmed().isEmpty() ? prefix
                                                   : QStringLiteral("synthetic:%1,%2")
                                                         .arg(m_shape->text().trimmed())
                                                         .arg(m_classes->value());
    else
        spec = prefix + QLatin1Char(':') + m_location->text().trimmed();
    choice.spec = spec.toStdString();
    choice.train_limit = m_trainLimit->value();
    choice.test_limit = m_testLimit->value();
    choice.validation_fraction = m_validation->value() / 100.0;
    return choice;
}

void DataDialog::updateControls()
{
    const Kind* kind = findKind(this->kind());
    const bool located = kind && kind->location != Kind::Location::None;
    m_location->setEnabled(located);
    m_browse->setEnabled(located);
    const bool synthetic = kind && QLatin1String(kind->prefix) == QLatin1String("synthetic");
    m_shape->setEnabled(synthetic);
    m_classes->setEnabled(synthetic);
    m_kind->setToolTip(kind ? tr(kind->hint) : QString());
    m_spec->setText(tr("DATA spec: %1").arg(QString::fromStdString(choice().spec)));
    m_problem->clear(); // a complaint about an earlier choice
}

void DataDialog::browse()
{
    const Kind* kind = findKind(this->kind());
    if (!kind)
        return;
    const QString start = m_location->text();
    const QString picked =
        kind->location == Kind::Location::File
            ? QFileDialog::getOpenFileName(this, tr("Tensors File"), start,
                                           tr("PyTorch files (*.pt *.pth);;All files (*)"))
            : QFileDialog::getExistingDirectory(this, tr("Data Folder"), start);
    if (!picked.isEmpty())
        m_location->setText(picked);
}

void DataDialog::accept()
{
    const Kind* kind = findKind(this->kind());
    if (kind && kind->location != Kind::Location::None && m_location->text().trimmed().isEmpty()) {
        m_problem->setText(kind->location == Kind::Location::File ? tr("Choose a file.")
                                                                  : tr("Choose a folder."));
        return;
    }
    const QString problem = m_check ? m_check(choice()) : QString();
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        return;
    }
    QDialog::accept();
}

} // namespace prunelab
