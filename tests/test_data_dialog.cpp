#include "app/gui/data_dialog.h"

#include <QLabel>
#include <QtTest>

using namespace prunelab;

namespace {

// What Session::data_problem says, for a model taking 1×28×28: CIFAR's 3×32×32 does not fit.
QString check(const DataChoice& choice)
{
    return QString::fromStdString(choice.spec).startsWith("cifar10")
               ? QString("cifar10 samples are 3×32×32; the model takes 1×28×28")
               : QString();
}

} // namespace

class TestDataDialog : public QObject
{
    Q_OBJECT
private slots:
    void showsTheCurrentChoiceAndTheModelsInput()
    {
        DataDialog dialog("one sample of 1×28×28, 10 classes", {"cifar10:/data/c", 600, 100, 0.2},
                          check);
        QCOMPARE(dialog.kind(), QString("cifar10"));
        QVERIFY(dialog.findChild<QLabel*>("expectedInput")->text().contains("1×28×28"));
        const DataChoice choice = dialog.choice();
        QCOMPARE(choice.spec, std::string("cifar10:/data/c"));
        QCOMPARE(choice.train_limit, int64_t(600));
        QCOMPARE(choice.test_limit, int64_t(100));
        QCOMPARE(choice.validation_fraction, 0.2);
        DataDialog synthetic("x", {"synthetic:3,16,16,5"}, check);
        QCOMPARE(synthetic.kind(), QString("synthetic"));
        QCOMPARE(synthetic.choice().spec, std::string("synthetic:3,16,16,5"));
        DataDialog folder("x", {"fashion-mnist:/somewhere"}, check);
        QCOMPARE(folder.kind(), QString("fashion-mnist-folder"));
        QCOMPARE(folder.choice().spec, std::string("fashion-mnist:/somewhere"));
    }

    void aMismatchIsExplainedAndTheDialogStaysOpen()
    {
        DataDialog dialog("one sample of 1×28×28", {"fashion-mnist"}, check);
        dialog.show();
        dialog.setKind("cifar10");
        dialog.accept(); // no folder yet
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.problem(), QString("Choose a folder."));
        dialog.setLocation("/data/cifar");
        QCOMPARE(dialog.findChild<QLabel*>("dataSpec")->text(),
                 QString("DATA spec: cifar10:/data/cifar"));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        QVERIFY(dialog.problem().contains("the model takes 1×28×28"));
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        // Changing the choice clears the complaint; a fitting one closes the dialog.
        dialog.setKind("synthetic");
        QVERIFY(dialog.problem().isEmpty());
        dialog.setSyntheticShape("1,28,28", 10);
        dialog.accept();
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.choice().spec, std::string("synthetic:1,28,28,10"));
    }
};

QTEST_MAIN(TestDataDialog)
#include "test_data_dialog.moc"
