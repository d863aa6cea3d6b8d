#include "widgets/importance_histogram_view.h"

#include <QMouseEvent>
#include <QSignalSpy>
#include <QtTest>
#include <qcustomplot.h>

using namespace prunelab;

namespace {

HistogramData tenBins()
{
    HistogramData data;
    data.layer = "fc1";
    data.binWidth = 0.1;
    for (int i = 0; i < 10; ++i) {
        data.binLefts.push_back(i * 0.1);
        data.counts.push_back(100 - i * 10);
    }
    data.total = 550;
    return data;
}

// QTest::mouseMove carries no button state; drags need hand-made events.
void send(QWidget* target, QEvent::Type type, QPoint pos, Qt::MouseButton button,
          Qt::MouseButtons buttons)
{
    QMouseEvent event(type, pos, target->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(target, &event);
}

} // namespace

class TestImportanceHistogramView : public QObject
{
    Q_OBJECT
private slots:
    void dragMovesThresholdAndShading()
    {
        ImportanceHistogramView view;
        view.resize(600, 360);
        view.setHistogram(tenBins());
        view.setThreshold(0.25);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();

        QSignalSpy dragged(&view, &ImportanceHistogramView::thresholdDragged);
        QSignalSpy finished(&view, &ImportanceHistogramView::thresholdDragFinished);
        QWidget* plot = view.plot();
        const int y = plot->height() / 2;
        const QPoint start(view.pixelForScore(0.25), y);
        const QPoint end(view.pixelForScore(0.6), y);
        send(plot, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
        QVERIFY(view.isDragging());
        QCOMPARE(dragged.count(), 0); // grabbed the line: it has not moved yet
        send(plot, QEvent::MouseMove, (start + end) / 2, Qt::NoButton, Qt::LeftButton);
        send(plot, QEvent::MouseMove, end, Qt::NoButton, Qt::LeftButton);
        send(plot, QEvent::MouseButtonRelease, end, Qt::LeftButton, Qt::NoButton);

        QCOMPARE(dragged.count(), 2);
        QCOMPARE(finished.count(), 1);
        QVERIFY(!view.isDragging());
        QVERIFY2(std::abs(view.threshold() - 0.6) < 0.01,
                 qPrintable(QString::number(view.threshold())));
        QCOMPARE(finished.first().first().toDouble(), view.threshold());
        // Bins with centres up to 0.6 (0.05 ... 0.55) are shaded as pruned: 6 of 10.
        auto* pruned = qobject_cast<QCPBars*>(view.plot()->plottable(0));
        double prunedCount = 0;
        for (auto it = pruned->data()->constBegin(); it != pruned->data()->constEnd(); ++it)
            prunedCount += it->value;
        QCOMPARE(prunedCount, 100.0 + 90 + 80 + 70 + 60 + 50);
    }

    void theLineStaysInSightOutsideTheBins()
    {
        // After Apply at 100%, a layer keeps one nonzero score (0.6) and its line sits at the
        // committed zeros (0), which are not drawn: the axis must still show the line.
        ImportanceHistogramView view;
        HistogramData one;
        one.layer = "conv1";
        one.binLefts = {0.6};
        one.counts = {1};
        one.binWidth = 0.0;
        one.total = 250;
        one.notShown = 249;
        view.setHistogram(one);
        view.setThreshold(0.0);
        const QCPRange range = view.plot()->xAxis->range();
        QVERIFY2(range.lower < 0.0 && range.upper > 0.6,
                 qPrintable(QString("%1..%2").arg(range.lower).arg(range.upper)));
        // Past the last bin (a threshold above every score) the line shows too.
        view.setHistogram(tenBins());
        view.setThreshold(1.5);
        QVERIFY(view.plot()->xAxis->range().upper > 1.5);
        // A new histogram fits its own bins again.
        view.setHistogram(tenBins());
        view.setThreshold(0.5);
        QVERIFY(view.plot()->xAxis->range().upper < 1.1);
    }

    void clickElsewhereMovesLine()
    {
        ImportanceHistogramView view;
        view.resize(600, 360);
        view.setHistogram(tenBins());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        QSignalSpy dragged(&view, &ImportanceHistogramView::thresholdDragged);
        const QPoint at(view.pixelForScore(0.8), view.plot()->height() / 2);
        send(view.plot(), QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
        send(view.plot(), QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
        QCOMPARE(dragged.count(), 1);
        QVERIFY(std::abs(view.threshold() - 0.8) < 0.01);
    }

    void csvListsBinsAndWhichArePruned()
    {
        ImportanceHistogramView view;
        HistogramData data;
        data.layer = "fc1";
        data.binLefts = {0.0, 0.5};
        data.binWidth = 0.5;
        data.counts = {3, 7};
        data.total = 10;
        view.setHistogram(data);
        view.setThreshold(0.3);
        const QStringList lines = view.csv().trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].contains("fc1"));
        QCOMPARE(lines[2], QString("0,0.5,3,1"));
        QCOMPARE(lines[3], QString("0.5,1,7,0"));
        QCOMPARE(view.plot()->contextMenuPolicy(), Qt::CustomContextMenu);
    }

    void summaryText()
    {
        ImportanceHistogramView view;
        view.setPrunedSummary(1234, 3950);
        QCOMPARE(view.prunedSummaryText(), QString("pruned 31.2% (1,234 of 3,950)"));
        view.setPrunedSummary(0, 0);
        QCOMPARE(view.prunedSummaryText(), QString("pruned 0.0% (0 of 0)"));
    }
};

QTEST_MAIN(TestImportanceHistogramView)
#include "test_importance_histogram_view.moc"
