#include "widgets/layer_table_model.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace prunelab;

namespace {
QVector<LayerRow> sampleRows()
{
    LayerRow conv{"conv1", "Conv2d", "10×1×5×5", 260, 250, 125, 144000};
    LayerRow fc{"fc", "Linear", "10×50", 510, 500, 500, 500};
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
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0); // no totals row without layers
        model.setLayers(sampleRows());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(LayerTableModel::ColumnCount));
        QCOMPARE(model.index(0, LayerTableModel::SparsityColumn).data().toString(), QString("50.0%"));
        QCOMPARE(model.index(0, LayerTableModel::FlopsColumn).data().toString(), QString("144,000"));
        const int totals = model.totalsRow();
        QCOMPARE(model.index(totals, LayerTableModel::NameColumn).data().toString(), QString("Total"));
        QCOMPARE(model.index(totals, LayerTableModel::ParamsColumn).data(Qt::UserRole).toLongLong(), 770LL);
        // 625 of 750 weights kept.
        QCOMPARE(model.index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 125.0 / 750.0);
        QVERIFY(model.index(totals, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.headerData(LayerTableModel::KeptColumn, Qt::Horizontal).toString(), QString("Kept"));
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
