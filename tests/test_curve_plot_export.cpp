#include "widgets/curve_plot_export.h"

#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

class TestCurvePlotExport : public QObject
{
    Q_OBJECT
private slots:
    void writesPngWithTheSeriesColours()
    {
        QTemporaryDir dir;
        CurvePlotSpec spec;
        spec.title = "accuracy vs sparsity";
        spec.xLabel = "sparsity";
        spec.yLabel = "accuracy";
        spec.series = {{"l1", {0.1, 0.5, 0.9}, {0.9, 0.88, 0.6}},
                       {"random", {0.1, 0.5, 0.9}, {0.7, 0.3, 0.1}}};
        spec.baseline = 0.907;
        const QString path = dir.filePath("plot.png");
        QVERIFY(exportCurvePlot(spec, path, nullptr, 640, 400));
        QImage image(path);
        QCOMPARE(image.size(), QSize(640, 400));
        // The first series is drawn in blue: some pixel must be strongly blue.
        bool blue = false;
        for (int y = 0; y < image.height() && !blue; ++y)
            for (int x = 0; x < image.width() && !blue; ++x) {
                const QColor c = image.pixelColor(x, y);
                blue = c.blue() > 150 && c.red() < 80 && c.green() < 150;
            }
        QVERIFY(blue);
    }

    void writesPdfAndReportsFailures()
    {
        QTemporaryDir dir;
        CurvePlotSpec spec;
        spec.series = {{"l1", {0.1, 0.9}, {0.9, 0.6}}};
        QVERIFY(exportCurvePlot(spec, dir.filePath("plot.pdf")));
        QVERIFY(QFileInfo(dir.filePath("plot.pdf")).size() > 500);
        QString error;
        QVERIFY(!exportCurvePlot(spec, "/no/such/dir/plot.png", &error));
        QVERIFY(error.contains("/no/such/dir/plot.png"));
    }
};

QTEST_MAIN(TestCurvePlotExport)
#include "test_curve_plot_export.moc"
