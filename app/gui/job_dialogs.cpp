#include "app/gui/job_dialogs.h"

#include "engine/session/session.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace prunelab {
namespace {

/// A dialog with a form and OK/Cancel.
struct FormDialog
{
    explicit FormDialog(QWidget* parent, const QString& title) : dialog(parent)
    {
        dialog.setWindowTitle(title);
        form = new QFormLayout(&dialog);
    }
    bool exec()
    {
        auto* buttons =
            new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        form->addRow(buttons);
        return dialog.exec() == QDialog::Accepted;
    }
    QSpinBox* intField(const QString& label, int value, int lo, int hi)
    {
        auto* box = new QSpinBox(&dialog);
        box->setRange(lo, hi);
        box->setValue(value);
        form->addRow(label, box);
        return box;
    }
    QDoubleSpinBox* doubleField(const QString& label, double value, double lo, double hi,
                                int decimals, double step)
    {
        auto* box = new QDoubleSpinBox(&dialog);
        box->setRange(lo, hi);
        box->setDecimals(decimals);
        box->setSingleStep(step);
        box->setValue(value);
        form->addRow(label, box);
        return box;
    }
    QDialog dialog;
    QFormLayout* form = nullptr;
};

} // namespace

bool runFineTuneDialog(QWidget* parent, FineTuneSettings& settings, const QString& title)
{
    FormDialog d(parent, title);
    auto* epochs = d.intField(QObject::tr("Epochs"), settings.epochs, 1, 200);
    auto* lr = d.doubleField(QObject::tr("Learning rate"), settings.lr, 1e-6, 1.0, 6, 1e-4);
    auto* optimizer = new QComboBox(&d.dialog);
    optimizer->addItems({QStringLiteral("adam"), QStringLiteral("sgd")});
    optimizer->setCurrentText(QString::fromStdString(settings.optimizer));
    d.form->addRow(QObject::tr("Optimizer"), optimizer);
    auto* batch = d.intField(QObject::tr("Batch size"), int(settings.batch), 1, 4096);
    auto* seed = d.intField(QObject::tr("Seed"), int(settings.seed), 0, 1 << 30);
    if (!d.exec())
        return false;
    settings.epochs = epochs->value();
    settings.lr = lr->value();
    settings.optimizer = optimizer->currentText().toStdString();
    settings.batch = batch->value();
    settings.seed = uint64_t(seed->value());
    return true;
}

bool runIterateDialog(QWidget* parent, IterateSettings& settings)
{
    FormDialog d(parent, QObject::tr("Iterative Pruning"));
    auto* target = d.doubleField(QObject::tr("Target sparsity (%)"), settings.target * 100.0, 0.0,
                                 99.9, 1, 5.0);
    auto* steps = d.intField(QObject::tr("Steps"), settings.steps, 1, 100);
    auto* schedule = new QComboBox(&d.dialog);
    schedule->addItems(
        {QStringLiteral("agp"), QStringLiteral("linear"), QStringLiteral("oneshot")});
    schedule->setCurrentText(QString::fromStdString(settings.schedule));
    d.form->addRow(QObject::tr("Schedule"), schedule);
    auto* epochs =
        d.intField(QObject::tr("Fine-tune epochs per step"), settings.finetune_epochs, 0, 100);
    auto* lr = d.doubleField(QObject::tr("Learning rate"), settings.lr, 1e-6, 1.0, 6, 1e-4);
    if (!d.exec())
        return false;
    settings.target = target->value() / 100.0;
    settings.steps = steps->value();
    settings.schedule = schedule->currentText().toStdString();
    settings.finetune_epochs = epochs->value();
    settings.lr = lr->value();
    return true;
}

bool runSweepDialog(QWidget* parent, SweepSettings& settings)
{
    FormDialog d(parent, QObject::tr("Sweep"));
    auto join = [](const auto& values, auto format) {
        QStringList out;
        for (const auto& v : values)
            out << format(v);
        return out.join(QStringLiteral(", "));
    };
    auto* criteria = new QLineEdit(
        join(settings.criteria, [](const std::string& s) { return QString::fromStdString(s); }),
        &d.dialog);
    d.form->addRow(QObject::tr("Criteria"), criteria);
    auto* sparsities = new QLineEdit(
        join(settings.sparsities, [](double v) { return QString::number(v * 100.0); }), &d.dialog);
    d.form->addRow(QObject::tr("Sparsities (%)"), sparsities);
    auto* global = new QCheckBox(QObject::tr("Rank across layers (global)"), &d.dialog);
    global->setChecked(settings.global);
    d.form->addRow(global);
    auto* epochs =
        d.intField(QObject::tr("Recovery epochs per point"), settings.finetune_epochs, 0, 50);
    auto* recover = new QComboBox(&d.dialog);
    recover->addItems({QObject::tr("fine-tune"), QObject::tr("distillation from the dense model")});
    recover->setCurrentIndex(settings.distill ? 1 : 0);
    d.form->addRow(QObject::tr("Recover by"), recover);
    if (!d.exec())
        return false;
    settings.distill = recover->currentIndex() == 1;
    settings.criteria.clear();
    for (const auto& c : criteria->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        settings.criteria.push_back(c.trimmed().toStdString());
    settings.sparsities.clear();
    for (const auto& s : sparsities->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = s.trimmed().remove(QLatin1Char('%')).toDouble(&ok);
        if (ok)
            settings.sparsities.push_back(v / 100.0);
    }
    settings.global = global->isChecked();
    settings.finetune_epochs = epochs->value();
    return true;
}

} // namespace prunelab

namespace prunelab {

bool runDistillDialog(QWidget* parent, DistillSettings& settings)
{
    FormDialog d(parent, QObject::tr("Distil"));
    auto* student = new QComboBox(&d.dialog);
    student->addItem(QObject::tr("pruned copy of this model (masks held)"),
                     QStringLiteral("pruned"));
    for (const char* name : {"convnet-small", "lenet5", "lenet300", "convnet"})
        student->addItem(QObject::tr("fresh %1").arg(QLatin1String(name)),
                         QString::fromLatin1(name));
    d.form->addRow(QObject::tr("Student"), student);
    auto* out = new QLineEdit(QDir::home().filePath(QStringLiteral("student.pt")), &d.dialog);
    out->setToolTip(
        QObject::tr("Where a fresh student is written (a pruned copy replaces the model instead)"));
    d.form->addRow(QObject::tr("Write student to"), out);
    auto* temperature =
        d.doubleField(QObject::tr("Temperature T"), settings.temperature, 0.1, 50.0, 1, 0.5);
    auto* alpha = d.doubleField(QObject::tr("α (weight of the teacher term)"), settings.alpha, 0.0,
                                1.0, 2, 0.05);
    auto* epochs = d.intField(QObject::tr("Epochs"), settings.epochs, 1, 200);
    auto* lr = d.doubleField(QObject::tr("Learning rate"), settings.lr, 1e-6, 1.0, 6, 1e-4);
    if (!d.exec())
        return false;
    settings.student = student->currentData().toString().toStdString();
    settings.out_path = out->text().toStdString();
    settings.temperature = temperature->value();
    settings.alpha = alpha->value();
    settings.epochs = epochs->value();
    settings.lr = lr->value();
    return true;
}

} // namespace prunelab
