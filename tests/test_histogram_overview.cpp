#include "widgets/histogram_overview.h"

#include <QScrollArea>
#include <QScrollBar>
#include <QtTest>

using namespace prunelab;

namespace {

HistogramData layer(const QString& name, int bins)
{
    HistogramData h;
    h.layer = name;
    h.binWidth = 1.0;
    for (int b = 0; b < bins; ++b) {
        h.binLefts.append(b);
        h.counts.append(b + 1);
    }
    h.total = bins * (bins + 1) / 2;
    return h;
}

} // namespace

class TestHistogramOverview : public QObject
{
    Q_OBJECT
private slots:
    void clickSelectsTheLayerUnderTheMouse()
    {
        HistogramOverview view;
        view.resize(420, 300);
        view.setHistograms(
            {layer("conv1", 10), layer("conv2", 20), layer("fc1", 30), layer("fc2", 5)});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&view, &HistogramOverview::layerClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(2).center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 2);
        QCOMPARE(view.selected(), 2);
        // Between cells: nothing.
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(view.width() - 1, view.height() - 1));
        QCOMPARE(clicked.count(), 1);
    }

    void cellsFlowIntoRowsByWidth()
    {
        HistogramOverview view;
        view.setHistograms(QVector<HistogramData>(7, layer("l", 4)));
        QCOMPARE(view.count(), 7);
        QVERIFY(view.heightForWidth(150) > view.heightForWidth(600)); // 7 rows vs 2
        view.resize(600, view.heightForWidth(600));
        QCOMPARE(view.cellRect(0).top(), view.cellRect(3).top());
        QVERIFY(view.cellRect(4).top() > view.cellRect(0).top());
    }

    void thresholdsShadeWithoutRebinning()
    {
        HistogramOverview view;
        view.resize(300, 100);
        view.setHistograms({layer("a", 10)});
        view.setThresholds({4.6}, {0.27});
        // Render: the left bins are grey, the right ones blue.
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);
        const QRect cell = view.cellRect(0);
        const QColor left = image.pixelColor(cell.left() + 6, cell.bottom() - 5);
        const QColor right = image.pixelColor(cell.right() - 6, cell.bottom() - 5);
        QCOMPARE(left, QColor(175, 175, 175));
        QCOMPARE(right, QColor(31, 119, 180));
    }

    void scrollsThroughManyLayersAndNamesThemInFull()
    {
        // Issue 15, item 6: in the window's scroll area only the first row of ResNet-18's 21
        // layers showed, and names were cut to "layer…conv1".
        QScrollArea area;
        auto* view = new HistogramOverview;
        area.setWidget(view);
        area.setWidgetResizable(true);
        area.setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        area.resize(400, 160);
        QVector<HistogramData> layers;
        for (int i = 0; i < 21; ++i)
            layers.append(layer(QString("layer%1.0.downsample.0").arg(i), 8));
        view->setHistograms(layers);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        QTRY_VERIFY(area.verticalScrollBar()->maximum() > 0);
        QVERIFY(view->height() >= view->cellRect(20).bottom());
        QCOMPARE(view->toolTipAt(view->cellRect(20).center()),
                 QString("layer20.0.downsample.0: 0% pruned (click to select)"));
        QVERIFY(view->toolTipAt(QPoint(-5, -5)).isEmpty());
    }
};

QTEST_MAIN(TestHistogramOverview)
#include "test_histogram_overview.moc"
