#include "widgets/layer_table_model.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace prunelab;

namespace {
QVector<LayerRow> sampleRows()
{
    LayerRow conv{"conv1", "Conv2d", "10×1×5×5", 260, 250, 125, 144000, 72000, 0.5};
    LayerRow fc{"fc", "Linear", "10×50", 510, 500, 500, 500, 500, 0.0, false};
    return {conv, fc};
}
} // namespace

class TestLayerTableModel : public QObject
{
    Q_OBJECT
private slots:
    void showsRowsAndTotals()
    {
        LayerTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0); // no totals row without layers
        model.setLayers(sampleRows());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(LayerTableModel::ColumnCount));
        QCOMPARE(model.index(0, LayerTableModel::SparsityColumn).data().toString(),
                 QString("50.0%"));
        QCOMPARE(model.index(0, LayerTableModel::FlopsColumn).data().toString(), QString("72,000"));
        QCOMPARE(model.index(0, LayerTableModel::RateColumn).data().toString(), QString("50.0%"));
        QCOMPARE(model.index(1, LayerTableModel::RateColumn).data().toString(),
                 QString()); // not prunable
        const int totals = model.totalsRow();
        QCOMPARE(model.index(totals, LayerTableModel::NameColumn).data().toString(),
                 QString("Total"));
        QCOMPARE(model.index(totals, LayerTableModel::ParamsColumn).data(Qt::UserRole).toLongLong(),
                 770LL);
        // 625 of 750 weights kept.
        QCOMPARE(model.index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 125.0 / 750.0);
        QVERIFY(model.index(totals, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.headerData(LayerTableModel::KeptColumn, Qt::Horizontal).toString(),
                 QString("Kept"));
    }

    void aLayerLosingNinetyPercentIsFlagged()
    {
        LayerTableModel model;
        auto rows = sampleRows();
        rows[0].rate = 0.9;
        model.setLayers(rows);
        const auto rate = model.index(0, LayerTableModel::RateColumn);
        QVERIFY(!rate.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(rate.data(Qt::ToolTipRole).toString().contains("loses 90.0%"));
        // Below the mark, and on the totals row, no icon.
        rows[0].rate = 0.89;
        model.updateLayers(rows);
        QVERIFY(rate.data(Qt::DecorationRole).isNull());
        QVERIFY(model.index(model.totalsRow(), LayerTableModel::RateColumn)
                    .data(Qt::DecorationRole)
                    .isNull());
    }

    void followersSayWhichLayerPrunesThem()
    {
        LayerTableModel model;
        auto rows = sampleRows();
        LayerRow follower{
            "layer1.0.conv2", "Conv2d", "16×16×3×3", 2304, 2304, 1152, 0, 0, 0.0, false};
        follower.follows = "conv1";
        rows.push_back(follower);
        model.setLayers(rows);
        const auto rate = model.index(2, LayerTableModel::RateColumn);
        QCOMPARE(rate.data().toString(), QString("= conv1"));
        QVERIFY(rate.data(Qt::ToolTipRole).toString().contains("Pruned with conv1"));
        QVERIFY(!(model.flags(rate) & Qt::ItemIsEditable));
    }

    void editsAreReportedNotStored()
    {
        LayerTableModel model;
        model.setLayers(sampleRows());
        QSignalSpy rate(&model, &LayerTableModel::rateEdited);
        QSignalSpy locked(&model, &LayerTableModel::lockedToggled);
        QSignalSpy excluded(&model, &LayerTableModel::excludedToggled);
        const QModelIndex convRate = model.index(0, LayerTableModel::RateColumn);
        QVERIFY(model.flags(convRate) & Qt::ItemIsEditable);
        QVERIFY(!(model.flags(model.index(1, LayerTableModel::RateColumn)) & Qt::ItemIsEditable));
        QVERIFY(!(model.flags(model.index(model.totalsRow(), LayerTableModel::LockedColumn)) &
                  Qt::ItemIsUserCheckable));
        QVERIFY(model.setData(convRate, "40 %"));
        QCOMPARE(rate.count(), 1);
        QCOMPARE(rate.at(0).at(0).toString(), QString("conv1"));
        QCOMPARE(rate.at(0).at(1).toDouble(), 0.4);
        QVERIFY(!model.setData(convRate, "140")); // out of range: refused, nothing emitted
        QVERIFY(!model.setData(convRate, "abc"));
        QCOMPARE(rate.count(), 1);
        QCOMPARE(model.layers()[0].rate, 0.5); // the app answers with updateLayers
        QVERIFY(model.setData(model.index(1, LayerTableModel::LockedColumn), Qt::Checked,
                              Qt::CheckStateRole));
        QVERIFY(model.setData(model.index(0, LayerTableModel::ExcludedColumn), Qt::Checked,
                              Qt::CheckStateRole));
        QCOMPARE(locked.count(), 1);
        QCOMPARE(locked.at(0).at(0).toString(), QString("fc"));
        QCOMPARE(locked.at(0).at(1).toBool(), true);
        QCOMPARE(excluded.count(), 1);
        QCOMPARE(excluded.at(0).at(0).toString(), QString("conv1"));
    }

    void resetSignalsViews()
    {
        LayerTableModel model;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setLayers(sampleRows());
        model.setLayers({});
        QCOMPARE(reset.count(), 2);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestLayerTableModel)
#include "test_layer_table_model.moc"
