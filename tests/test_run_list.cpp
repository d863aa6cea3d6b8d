#include "widgets/run_list.h"

#include <QSignalSpy>
#include <QtTest>

using namespace prunelab;

class TestRunList : public QObject
{
    Q_OBJECT
private slots:
    void showsRunsAndReportsTicksRenamesAndDeletes()
    {
        RunList list;
        QSignalSpy toggled(&list, &RunList::visibilityToggled);
        QSignalSpy renamed(&list, &RunList::renameRequested);
        QSignalSpy removed(&list, &RunList::removeRequested);
        list.setRuns({"Sweep l1 · 10:00", "Sensitivity l1 · 10:05"}, {"Sensitivity l1 · 10:05"});
        QCOMPARE(toggled.count(), 0); // filling says nothing
        QCOMPARE(list.runs(), QStringList({"Sweep l1 · 10:00", "Sensitivity l1 · 10:05"}));
        QCOMPARE(list.item(1)->checkState(), Qt::Unchecked);
        list.item(0)->setCheckState(Qt::Unchecked);
        QCOMPARE(toggled.count(), 1);
        QCOMPARE(toggled.first().at(0).toString(), QString("Sweep l1 · 10:00"));
        QCOMPARE(toggled.first().at(1).toBool(), false);
        list.item(0)->setText("baseline sweep");
        QCOMPARE(renamed.count(), 1);
        QCOMPARE(renamed.first().at(1).toString(), QString("baseline sweep"));
        list.item(1)->setText("   "); // empty: the old name comes back, nothing asked
        QCOMPARE(list.item(1)->text(), QString("Sensitivity l1 · 10:05"));
        QCOMPARE(renamed.count(), 1);
        list.setCurrentRow(1);
        QTest::keyClick(&list, Qt::Key_Delete);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().at(0).toString(), QString("Sensitivity l1 · 10:05"));
    }
};

QTEST_MAIN(TestRunList)
#include "test_run_list.moc"
