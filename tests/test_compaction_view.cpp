#include "widgets/compaction_view.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace prunelab;

class TestCompactionView : public QObject
{
    Q_OBJECT
private slots:
    void showsSpeedupsAgainstTheFirstRow()
    {
        CompactionView view;
        view.setComparison({{"dense", 1000, 1000, 5000, 2.0, 40.0},
                            {"masked", 1000, 400, 5000, 2.0, 40.0},
                            {"compacted", 300, 300, 1250, 0.5, 16.0}},
                           {"conv1: 10 → 5 channels"}, {"a note"}, true);
        QCOMPARE(view.rowCount(), 3);
        QCOMPARE(view.cellText(2, 5), QString("4.00×"));
        QCOMPARE(view.cellText(2, 7), QString("2.50×"));
        QCOMPARE(view.cellText(1, 7), QString("1.00×"));
        const auto* details = view.findChild<QLabel*>("compactionDetails");
        QVERIFY(details->text().contains("conv1: 10 → 5"));
        QVERIFY(details->text().contains("a note"));
        auto* save = view.findChild<QPushButton*>("saveCompactedButton");
        QVERIFY(save->isEnabled());
        QSignalSpy spy(&view, &CompactionView::saveRequested);
        QTest::mouseClick(save, Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
    }

    void nothingToSaveWithoutACompactedModel()
    {
        CompactionView view;
        QVERIFY(!view.findChild<QPushButton*>("saveCompactedButton")->isEnabled());
        view.setComparison({{"dense", 10, 10, 10, 1.0, 2.0}, {"masked", 10, 10, 10, 1.0, 2.0}}, {},
                           {"nothing to remove"}, false);
        QVERIFY(!view.findChild<QPushButton*>("saveCompactedButton")->isEnabled());
        view.clear("stale");
        QCOMPARE(view.rowCount(), 0);
        QCOMPARE(view.findChild<QLabel*>("compactionDetails")->text(), QString("stale"));
    }
};

QTEST_MAIN(TestCompactionView)
#include "test_compaction_view.moc"
