#include "widgets/pipeline_strip.h"

#include <QLabel>
#include <QtTest>

using namespace prunelab;

class TestPipelineStrip : public QObject
{
    Q_OBJECT
private slots:
    void stagesAreDoneCurrentOrAhead()
    {
        PipelineStrip strip({"Train", "Prune", "Fine-tune", "Small model"});
        QCOMPARE(strip.stageText(0), QString("Train"));
        strip.setCurrent(2);
        QCOMPARE(strip.stageText(0), QString("✓ Train"));
        QCOMPARE(strip.stageText(2), QString("Fine-tune"));
        QCOMPARE(strip.findChild<QLabel*>("pipelineStage2")->toolTip(),
                 QString("The session is here"));
        QCOMPARE(strip.findChild<QLabel*>("pipelineStage3")->toolTip(), QString("Ahead"));
    }

    void aWarningReplacesTheTickUntilCleared()
    {
        PipelineStrip strip({"Train", "Prune", "Fine-tune", "Small model"});
        strip.setCurrent(4);
        QCOMPARE(strip.stageText(3), QString("✓ Small model"));
        strip.setWarning(3, "accuracy below the floor");
        QCOMPARE(strip.stageText(3), QString("⚠ Small model"));
        QCOMPARE(strip.findChild<QLabel*>("pipelineStage3")->toolTip(),
                 QString("accuracy below the floor"));
        QCOMPARE(strip.warning(3), QString("accuracy below the floor"));
        strip.setWarning(3, {});
        QCOMPARE(strip.stageText(3), QString("✓ Small model"));
        QVERIFY(strip.warning(3).isEmpty());
    }
};

QTEST_MAIN(TestPipelineStrip)
#include "test_pipeline_strip.moc"
