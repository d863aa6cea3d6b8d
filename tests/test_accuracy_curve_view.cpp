#include "widgets/accuracy_curve_view.h"
#include "widgets/plot_export_menu.h"
#include "widgets/run_list.h"

#include <QComboBox>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace prunelab;

class TestAccuracyCurveView : public QObject
{
    Q_OBJECT
private slots:
    void seriesSortedWithBaselineAndLegend()
    {
        AccuracyCurveView view;
        view.resize(600, 400);
        view.addPoint("l1", {0.9, 0.12, 0.3, 0.80});
        view.addPoint("l1", {0.5, 0.52, 0.6, 0.90});
        view.addPoint("random", {0.5, 0.52, 0.6, 0.40});
        view.setBaseline(0.91);
        QCOMPARE(view.seriesOrder(), QStringList({"l1", "random"}));
        QCOMPARE(view.series()["l1"].first().sparsity, 0.5); // sorted by sparsity
        // Two series plus the dense line, each in the legend.
        QCOMPARE(view.plot()->graphCount(), 3);
        QCOMPARE(view.plot()->graph(2)->name(), QString("dense 91.00%"));
        QCOMPARE(view.plot()->graph(0)->dataCount(), 2);
        // A floor 5 points under the dense line, named in the legend; none without a baseline.
        view.setFloorDrop(0.05);
        QCOMPARE(view.plot()->graphCount(), 4);
        QCOMPARE(view.plot()->graph(3)->name(), QString("floor 86.00%"));
        QVERIFY(std::abs(*view.floor() - 0.86) < 1e-12);
        view.setBaseline(std::nullopt);
        QVERIFY(!view.floor());
        QCOMPARE(view.plot()->graphCount(), 2);
    }

    void runsGroupSeriesAndCanBeHiddenRenamedAndDeleted()
    {
        AccuracyCurveView view;
        view.resize(700, 400);
        view.addPoint("l1", {0.5, 0.5, 0.5, 0.9}, "Sweep · 10:00");
        view.addPoint("random", {0.5, 0.5, 0.5, 0.4}, "Sweep · 10:00");
        view.addPoint("l1 (2)", {0.7, 0.3, 0.3, 0.8}, "Sweep · 10:05");
        view.addPoint("distilled", {0.9, 0.1, 0.1, 0.85}); // a run of its own name
        QCOMPARE(view.runs(), QStringList({"Sweep · 10:00", "Sweep · 10:05", "distilled"}));
        auto* list = view.findChild<RunList*>("runList");
        QCOMPARE(list->runs(), view.runs());
        // Hidden from the list: the run's two curves leave the plot (and the legend).
        list->item(0)->setCheckState(Qt::Unchecked);
        QVERIFY(!view.isRunVisible("Sweep · 10:00"));
        QCOMPARE(view.plot()->graphCount(), 2);
        view.setRunVisible("Sweep · 10:00", true);
        QCOMPARE(view.plot()->graphCount(), 4);
        // Renamed: its series follow; a taken name is made unique.
        QCOMPARE(view.renameRun("Sweep · 10:05", "distilled"), QString("distilled (2)"));
        QCOMPARE(view.runOf("l1 (2)"), QString("distilled (2)"));
        // Deleted: its series are gone, the others stay.
        view.removeRun("Sweep · 10:00");
        QCOMPARE(view.seriesOrder(), QStringList({"l1 (2)", "distilled"}));
        QCOMPARE(list->runs(), QStringList({"distilled (2)", "distilled"}));
        // The legend sits under the plot, not over the curves.
        QVERIFY(view.plot()->axisRect()->insetLayout()->elementCount() == 0);
        QCOMPARE(view.plot()->plotLayout()->element(1, 0), view.plot()->legend);
    }

    void youAreHereMarksTheShownModel()
    {
        AccuracyCurveView view;
        view.setBaseline(0.9);
        view.setCurrentPoint(AccuracyPoint{0.6, 0.4, 0.5, 0.86});
        bool found = false;
        for (int i = 0; i < view.plot()->graphCount(); ++i)
            if (view.plot()->graph(i)->name() == "you are here") {
                found = true;
                QCOMPARE(view.plot()->graph(i)->data()->at(0)->key, 60.0);
                QCOMPARE(view.plot()->graph(i)->scatterStyle().shape(), QCPScatterStyle::ssStar);
            }
        QVERIFY(found);
        view.setCurrentPoint(std::nullopt);
        QCOMPARE(view.plot()->graphCount(), 1); // the dense line
    }

    void hoverShowsExactValuesOnlyNearAPoint()
    {
        AccuracyCurveView view;
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const AccuracyPoint p{0.7, 0.31, 0.45, 0.8765};
        view.addPoint("taylor", p);
        view.plot()->replot();
        const QPointF at = view.pixelFor(p);
        const QString tip = view.toolTipAt(at.toPoint() + QPoint(2, -2));
        QVERIFY2(tip.contains("87.65%"), qPrintable(tip));
        QVERIFY(tip.contains("taylor"));
        QVERIFY(tip.contains("70.00%"));
        QVERIFY(view.toolTipAt(at.toPoint() + QPoint(40, 40)).isEmpty());
    }

    void xAxisSwitchMovesPoints()
    {
        AccuracyCurveView view;
        view.resize(600, 400);
        const AccuracyPoint p{0.8, 0.25, 0.4, 0.85};
        view.addPoint("l1", p);
        const double xSparsity = view.plot()->graph(0)->data()->at(0)->key;
        QCOMPARE(xSparsity, 80.0);
        auto* combo = view.findChild<QComboBox*>("curveAxisCombo");
        combo->setCurrentIndex(1);
        QCOMPARE(view.xAxis(), AccuracyCurveView::XAxis::ParamsKept);
        QCOMPARE(view.plot()->graph(0)->data()->at(0)->key, 25.0);
        view.setXAxis(AccuracyCurveView::XAxis::FlopsKept);
        QCOMPARE(view.plot()->graph(0)->data()->at(0)->key, 40.0);
        QVERIFY(view.plot()->xAxis->label().contains("FLOPs"));
    }

    void zoomAndPanAreOn()
    {
        AccuracyCurveView view;
        QVERIFY(view.plot()->interactions().testFlag(QCP::iRangeDrag));
        QVERIFY(view.plot()->interactions().testFlag(QCP::iRangeZoom));
        QCOMPARE(view.plot()->contextMenuPolicy(), Qt::CustomContextMenu);
    }

    void exportsPngPdfAndCsv()
    {
        QTemporaryDir dir;
        AccuracyCurveView view;
        view.resize(600, 400);
        view.addPoint("l1 \"quoted\"", {0.5, 0.5, 0.5, 0.9});
        view.setBaseline(0.92);
        auto csv = [&] { return view.csv(); };
        QString error;
        QVERIFY2(exportPlot(view.plot(), dir.filePath("c.png"), csv, &error), qPrintable(error));
        QVERIFY2(exportPlot(view.plot(), dir.filePath("c.pdf"), csv, &error), qPrintable(error));
        QVERIFY2(exportPlot(view.plot(), dir.filePath("c.csv"), csv, &error), qPrintable(error));
        QVERIFY(QImage(dir.filePath("c.png")).width() > 600); // drawn at 2x
        QFile pdf(dir.filePath("c.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(4) == "%PDF");
        QFile file(dir.filePath("c.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split('\n');
        QCOMPARE(lines.at(0), QString("series,sparsity,params_kept,flops_kept,accuracy"));
        QCOMPARE(lines.at(1), QString("\"l1 \"\"quoted\"\"\",0.5,0.5,0.5,0.9"));
        QCOMPARE(lines.at(2), QString("\"dense\",0,1,1,0.92"));
        // Unknown extension and a missing folder are refused with a message.
        QVERIFY(!exportPlot(view.plot(), dir.filePath("c.bmp"), csv, &error));
        QVERIFY(error.contains(".png"));
        QVERIFY(!exportPlot(view.plot(), dir.filePath("no/such/c.csv"), csv, &error));
        QVERIFY(error.contains("folder"));
    }
};

QTEST_MAIN(TestAccuracyCurveView)
#include "test_accuracy_curve_view.moc"
