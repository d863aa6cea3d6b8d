#include "widgets/lesson_panel.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace prunelab;

class TestLessonPanel : public QObject
{
    Q_OBJECT
private slots:
    void walksStepsHighlightsAndRunsActions()
    {
        QWidget slider, spin;
        spin.setStyleSheet("QWidget{color:blue}");
        int ran = 0;
        LessonPanel panel;
        QSignalSpy changed(&panel, &LessonPanel::stepChanged);
        panel.setSteps(
            {{"Score", "<p>s = |w|</p>", "Score by |w|", [&] { ++ran; }, [&] { return &slider; }},
             {"Prune", "<p>prune s ≤ θ</p>", {}, {}, [&] { return &spin; }},
             {"Done", "<p>That is the method.</p>", {}, {}, {}}});
        QCOMPARE(panel.currentStep(), 0);
        QVERIFY(panel.bodyText().contains("s = |w|"));
        QCOMPARE(panel.highlighted(), &slider);
        QVERIFY(slider.styleSheet().contains("border"));
        QVERIFY(!panel.findChild<QPushButton*>("lessonBack")->isEnabled());
        panel.runAction();
        QCOMPARE(ran, 1);
        panel.setResult("accuracy fell 26 pp");
        QCOMPARE(panel.resultText(), QString("accuracy fell 26 pp"));
        panel.next();
        QCOMPARE(panel.currentStep(), 1);
        QVERIFY(panel.resultText().isEmpty()); // a new step starts without the old result
        QVERIFY(!slider.styleSheet().contains("border")); // highlight moved on
        QVERIFY(spin.styleSheet().startsWith("QWidget{color:blue}"));
        QVERIFY(spin.styleSheet().contains("border"));
        QVERIFY(panel.findChild<QPushButton*>("lessonAction")->isHidden());
        panel.next();
        panel.next(); // past the end stays at the end
        QCOMPARE(panel.currentStep(), 2);
        QVERIFY(!panel.findChild<QPushButton*>("lessonNext")->isEnabled());
        QCOMPARE(spin.styleSheet(), QString("QWidget{color:blue}")); // its own style back
        QCOMPARE(changed.count(), 3);
        QVERIFY(panel.findChild<QLabel*>("lessonCounter")->text().contains("Step 3 of 3"));
    }
};

QTEST_MAIN(TestLessonPanel)
#include "test_lesson_panel.moc"
