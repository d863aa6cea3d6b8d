// The Heads view: which cut a click or a drag asks for, and how the cells are laid out.
#include "widgets/head_grid.h"

#include <QImage>
#include <QtTest>

#include <cmath>

using namespace prunelab;

namespace {

QVector<HeadGrid::Row> twoLayers()
{
    return {{"blocks.0.attn.q", {0.4, 0.1, 0.9, 0.3}, {false, false, false, false}},
            {"blocks.1.attn.q", {0.2, 0.8, 0.5, 0.7}, {true, false, false, false}}};
}

/// Fills the grid with twoLayers() and shows it at its preferred size.
bool shown(HeadGrid& grid)
{
    grid.setRows(twoLayers());
    grid.resize(grid.sizeHint());
    grid.show();
    return QTest::qWaitForWindowExposed(&grid);
}

} // namespace

class TestHeadGrid : public QObject
{
    Q_OBJECT
private slots:
    void clickOnAKeptHeadPrunesItAndWeakerOnes()
    {
        HeadGrid grid;
        QVERIFY(shown(grid));
        QSignalSpy cut(&grid, &HeadGrid::cutRequested);
        QSignalSpy finished(&grid, &HeadGrid::dragFinished);
        QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cellRect(0, 0).center());
        QCOMPARE(cut.count(), 1);
        QCOMPARE(cut.at(0).at(0).toString(), QString("blocks.0.attn.q"));
        QCOMPARE(cut.at(0).at(1).toDouble(), 0.4); // heads 0, 1, 3 score <= 0.4
        QCOMPARE(finished.count(), 1);
    }

    void clickOnAPrunedHeadRestoresItAndStrongerOnes()
    {
        HeadGrid grid;
        QVERIFY(shown(grid));
        QSignalSpy cut(&grid, &HeadGrid::cutRequested);
        QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cellRect(1, 0).center());
        QCOMPARE(cut.count(), 1);
        // Head 0 is the weakest of its layer: restoring it restores every head.
        QVERIFY(std::isinf(cut.at(0).at(1).toDouble()) && cut.at(0).at(1).toDouble() < 0);
    }

    void dragAlongARowMovesTheCut()
    {
        HeadGrid grid;
        QVERIFY(shown(grid));
        QSignalSpy cut(&grid, &HeadGrid::cutRequested);
        QSignalSpy finished(&grid, &HeadGrid::dragFinished);
        QTest::mousePress(&grid, Qt::LeftButton, {}, grid.cellRect(0, 1).center());
        // Across heads 2 and 3, wandering into the next row: the pressed row decides.
        QTest::mouseMove(&grid, grid.cellRect(0, 2).center());
        QTest::mouseMove(&grid, grid.cellRect(1, 3).center());
        QTest::mouseRelease(&grid, Qt::LeftButton, {}, grid.cellRect(1, 3).center());
        QCOMPARE(cut.count(), 3);
        QCOMPARE(cut.at(0).at(1).toDouble(), 0.1);
        QCOMPARE(cut.at(1).at(1).toDouble(), 0.9);
        QCOMPARE(cut.at(2).at(1).toDouble(), 0.3);
        for (const auto& c : cut)
            QCOMPARE(c.at(0).toString(), QString("blocks.0.attn.q"));
        QCOMPARE(finished.count(), 1);
    }

    void prunedCellsAreGreyAndDisabledGridAsksNothing()
    {
        HeadGrid grid;
        grid.setRows(twoLayers());
        grid.resize(grid.sizeHint());
        QImage image(grid.size(), QImage::Format_ARGB32);
        grid.render(&image);
        const QColor pruned = image.pixelColor(grid.cellRect(1, 0).topLeft() + QPoint(3, 8));
        const QColor kept = image.pixelColor(grid.cellRect(1, 1).topLeft() + QPoint(3, 8));
        QCOMPARE(pruned.red(), pruned.blue());  // grey
        QVERIFY(kept.blue() > kept.red() + 40); // blue
        grid.setEnabled(false);
        grid.show();
        QVERIFY(QTest::qWaitForWindowExposed(&grid));
        QSignalSpy cut(&grid, &HeadGrid::cutRequested);
        QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cellRect(0, 0).center());
        QCOMPARE(cut.count(), 0);
    }
};

QTEST_MAIN(TestHeadGrid)
#include "test_head_grid.moc"
