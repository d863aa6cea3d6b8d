#include "widgets/training_curve_view.h"

#include <QLabel>
#include <QtTest>
#include <qcustomplot.h>

#include <cmath>

using namespace prunelab;

class TestTrainingCurveView : public QObject
{
    Q_OBJECT
private slots:
    void collectsLossAndAccuracyAndCoalescesReplots()
    {
        TrainingCurveView view;
        view.resize(500, 300);
        view.startRun("Fine-tune of convnet");
        QCOMPARE(view.title(), QString("Fine-tune of convnet"));
        for (int step = 1; step <= 50; ++step)
            view.addLoss(step, 2.0 / step);
        view.addLoss(51, std::nan("")); // skipped, not drawn as a gap
        view.addAccuracy(50, 0.875);
        view.addAccuracy(50, std::nan(""));
        QCOMPARE(view.lossPoints().size(), 50);
        QCOMPARE(view.accuracyPoints().size(), 1);
        // Nothing is drawn until the coalescing timer fires.
        QCOMPARE(view.plot()->graph(0)->dataCount(), 0);
        QTRY_COMPARE(view.plot()->graph(0)->dataCount(), 50);
        QCOMPARE(view.plot()->graph(1)->data()->at(0)->value, 87.5);
        QVERIFY(view.plot()->graph(1)->valueAxis() == view.plot()->yAxis2);
    }

    void csvHasBothSeriesAndANewRunClears()
    {
        TrainingCurveView view;
        view.startRun("a");
        view.addLoss(1, 0.5);
        view.addAccuracy(1, 0.9);
        const QStringList lines = view.csv().trimmed().split('\n');
        QCOMPARE(lines, QStringList({"step,loss,accuracy", "1,0.5,", "1,,0.9"}));
        view.startRun("b");
        QVERIFY(view.lossPoints().isEmpty());
        QCOMPARE(view.plot()->graph(0)->dataCount(), 0);
    }
};

QTEST_MAIN(TestTrainingCurveView)
#include "test_training_curve_view.moc"
