#include "app/gui/builtin_dialog.h"

#include <QLabel>
#include <QtTest>

using namespace prunelab;

class TestBuiltinModelDialog : public QObject
{
    Q_OBJECT
private slots:
    void listsTheZooWithWhatEachNeeds()
    {
        BuiltinModelDialog dialog(Session::builtin_models());
        QCOMPARE(dialog.modelCount(), int(Session::builtin_models().size()));
        QCOMPARE(dialog.selectedModel(), QString("default")); // the trained one first
        QCOMPARE(dialog.rowText(0), QStringList({"default", "1×28×28", "10", "trained"}));
        dialog.selectModel("resnet20");
        QCOMPARE(dialog.selectedModel(), QString("resnet20"));
        const auto* details = dialog.findChild<QLabel*>("builtinDetails");
        QVERIFY2(details->text().contains("Train stage"), qPrintable(details->text()));
        for (int row = 1; row < dialog.modelCount(); ++row)
            QCOMPARE(dialog.rowText(row).at(3), QString("untrained: train it first"));
        dialog.selectModel("no-such-model"); // keeps the selection
        QCOMPARE(dialog.selectedModel(), QString("resnet20"));
    }
};

QTEST_MAIN(TestBuiltinModelDialog)
#include "test_builtin_dialog.moc"
