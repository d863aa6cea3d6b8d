#include "widgets/global_ranking_button.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QtTest>

using namespace prunelab;

class TestGlobalRankingButton : public QObject
{
    Q_OBJECT
private slots:
    void defaultsAreFairAndShown()
    {
        GlobalRankingButton button;
        QCOMPARE(button.normalizer(), QString("auto"));
        QCOMPARE(button.maxLayerRate(), GlobalRankingButton::kAutomatic);
        QCOMPARE(button.text(), QString("Ranked: auto"));
        QVERIFY(button.findChild<QAction*>("normalizer_auto")->isChecked());
        QVERIFY(button.findChild<QAction*>("maxLayerRate_auto")->isChecked());
    }

    void menuChoicesChangeTheRankingOnce()
    {
        GlobalRankingButton button;
        QSignalSpy changed(&button, &GlobalRankingButton::rankingChanged);
        button.findChild<QAction*>("normalizer_l2")->trigger();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(button.normalizer(), QString("l2"));
        QVERIFY(!button.findChild<QAction*>("normalizer_auto")->isChecked());
        button.findChild<QAction*>("maxLayerRate_100")->trigger();
        QCOMPARE(changed.count(), 2);
        QCOMPARE(button.maxLayerRate(), 1.0);
        QCOMPARE(button.text(), QString("Ranked: l2, no limit"));
        // Choosing what is already chosen is no change.
        button.findChild<QAction*>("normalizer_l2")->trigger();
        QCOMPARE(changed.count(), 2);
    }

    void setRankingShowsWithoutSignalAndRejectsNonsense()
    {
        GlobalRankingButton button;
        QSignalSpy changed(&button, &GlobalRankingButton::rankingChanged);
        button.setRanking("max", 0.75);
        QCOMPARE(changed.count(), 0);
        QVERIFY(button.findChild<QAction*>("normalizer_max")->isChecked());
        QVERIFY(button.findChild<QAction*>("maxLayerRate_75")->isChecked());
        QCOMPARE(button.text(), QString("Ranked: max, ≤ 75%/layer"));
        button.setRanking("bogus", std::nan(""));
        QCOMPARE(button.normalizer(), QString("auto"));
        QCOMPARE(button.maxLayerRate(), GlobalRankingButton::kAutomatic);
        button.setRanking("none", 7.0);
        QCOMPARE(button.maxLayerRate(), 1.0);
    }
};

QTEST_MAIN(TestGlobalRankingButton)
#include "test_global_ranking_button.moc"
