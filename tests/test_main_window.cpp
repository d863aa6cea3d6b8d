#include "app/log_dock.h"
#include "app/main_window.h"
#include "support/test_support.h"
#include "widgets/layer_table_model.h"

#include "engine/checkpoint.h"
#include "engine/model_factory.h"

#include "widgets/importance_histogram_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSlider>
#include <QUndoStack>
#include <QMouseEvent>
#include <qcustomplot.h>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("PruneLabTests");
        QCoreApplication::setApplicationName("test_main_window");
    }

    void opensOnDefaultModel()
    {
        MainWindow window;
        QStringList errors;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        const bool opened = window.openModel("default");
        if (!opened && errors.join(' ').contains("no embedded default"))
            QSKIP("this build has no embedded default checkpoint");
        QVERIFY(opened);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().startsWith("PruneLab"));
        auto* table = window.findChild<QTableView*>("layerTable");
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), 5); // conv1, conv2, fc1, fc2, totals
        QCOMPARE(table->model()->index(1, 0).data().toString(), QString("conv2"));
        auto* status = window.findChild<QLabel*>("modelStatus");
        QVERIFY(status->text().contains("21,840"));
        QVERIFY(status->text().contains("test accuracy"));
    }

    void draggingThresholdPrunesTheSelectedLayer()
    {
        MainWindow window;
        window.setErrorHandler([](const QString& e) { QFAIL(qPrintable(e)); });
        QVERIFY(window.openModel("convnet"));
        window.resize(1200, 520);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.selectLayer(2); // fc1
        auto* view = window.findChild<ImportanceHistogramView*>("importanceHistogram");
        QVERIFY(view);
        QCOMPARE(view->histogram().layer, QString("fc1"));
        QCOMPARE(view->histogram().total, 16000);
        view->plot()->replot();
        auto* model = window.layerModel();
        const auto totalBefore = model->index(model->totalsRow(), LayerTableModel::KeptColumn)
                                     .data(Qt::UserRole).toLongLong();

        // Drag the line from the far left to the middle of fc1's score range.
        const auto& h = view->histogram();
        const double middle = h.binLefts.front() + 0.5 * h.binWidth * h.binLefts.size();
        QWidget* plot = view->plot();
        const int y = plot->height() / 2;
        auto send = [&](QEvent::Type type, int x, Qt::MouseButton b, Qt::MouseButtons bs) {
            QMouseEvent e(type, QPointF(x, y), plot->mapToGlobal(QPointF(x, y)), b, bs, Qt::NoModifier);
            QApplication::sendEvent(plot, &e);
        };
        send(QEvent::MouseButtonPress, view->pixelForScore(h.binLefts.front() - 0.5 * h.binWidth),
             Qt::LeftButton, Qt::LeftButton);
        send(QEvent::MouseMove, view->pixelForScore(middle), Qt::NoButton, Qt::LeftButton);
        send(QEvent::MouseButtonRelease, view->pixelForScore(middle), Qt::LeftButton, Qt::NoButton);

        const double sparsity =
            model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble();
        QVERIFY2(sparsity > 0.3 && sparsity < 1.0, qPrintable(QString::number(sparsity)));
        const auto totalAfter = model->index(model->totalsRow(), LayerTableModel::KeptColumn)
                                    .data(Qt::UserRole).toLongLong();
        QCOMPARE(totalAfter, totalBefore - qint64(std::llround(sparsity * 16000)));
        QVERIFY(view->prunedSummaryText().startsWith("pruned "));
        QCOMPARE(model->index(1, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.0);

        // The whole drag (press, move, release) is one undoable edit: Ctrl+Z restores the dense
        // layer, Ctrl+Shift+Z prunes it again.
        QCOMPARE(window.undoStack()->count(), 1);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.0);
        QCOMPARE(model->index(model->totalsRow(), LayerTableModel::KeptColumn).data(Qt::UserRole).toLongLong(),
                 totalBefore);
        QCOMPARE(view->prunedSummaryText(), QString("pruned 0.0% (0 of 16,000)"));
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), sparsity);

        // Dragging back to the far left restores the dense layer.
        send(QEvent::MouseButtonPress, view->pixelForScore(middle), Qt::LeftButton, Qt::LeftButton);
        send(QEvent::MouseMove, view->pixelForScore(h.binLefts.front() - h.binWidth), Qt::NoButton,
             Qt::LeftButton);
        send(QEvent::MouseButtonRelease, view->pixelForScore(h.binLefts.front() - h.binWidth),
             Qt::LeftButton, Qt::NoButton);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.0);
    }

    void globalRateIsUndoable()
    {
        MainWindow window;
        window.setErrorHandler([](const QString& e) { QFAIL(qPrintable(e)); });
        QVERIFY(window.openModel("convnet"));
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        auto* slider = window.findChild<QSlider*>("globalRateSlider");
        QVERIFY(spin && slider);
        spin->setValue(60.0);
        emit spin->editingFinished();
        QCOMPARE(slider->value(), 600);
        auto* model = window.layerModel();
        const int totals = model->totalsRow();
        QCOMPARE(model->index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 0.6); // global ranking prunes exactly 60% of all weights
        for (int row = 0; row < totals; ++row) // and every layer a different share
            QVERIFY(model->index(row, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble() > 0.0);
        QVERIFY(window.histogramView()->prunedSummaryText() != "pruned 0.0% (0 of 250)");
        slider->setValue(900);
        QCOMPARE(model->index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.9);
        QCOMPARE(window.undoStack()->count(), 2);
        window.undoStack()->undo();
        QCOMPARE(model->index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.6);
        window.undoStack()->undo();
        QCOMPARE(model->index(totals, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.0);

        // Filter granularity: only conv layers take part; a Linear layer's histogram is disabled.
        window.findChild<QComboBox*>("granularityCombo")->setCurrentText("filter");
        QCOMPARE(window.undoStack()->count(), 0); // new scores, fresh history
        spin->setValue(50.0);
        emit spin->editingFinished();
        // conv2's pruned filters take fc1's input columns with them; fc2 is untouched.
        QVERIFY(model->index(1, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble() > 0.0);
        QVERIFY(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble() > 0.0);
        QCOMPARE(model->index(3, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(), 0.0);
        window.selectLayer(2);
        QVERIFY(!window.histogramView()->isEnabled());
    }

    void badFileKeepsCurrentModel()
    {
        MainWindow window;
        QStringList errors;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        QVERIFY(window.openModel("lenet300"));
        QTemporaryDir dir;
        const QString bad = dir.filePath("broken.pt");
        test::writeBytes(bad, "broken");
        QVERIFY(!window.openModel(bad));
        QCOMPARE(errors.size(), 1);
        // The log dock shows both the opening and the failure (records arrive queued).
        auto* log = window.findChild<LogDock*>("logDock");
        QVERIFY(log);
        QTRY_VERIFY(log->text().contains("cannot open " + bad));
        QVERIFY(log->text().contains("opened lenet300"));
        QVERIFY(errors.first().contains(bad));
        // The session is unchanged: still LeNet-300-100's three layers plus totals.
        QCOMPARE(window.layerModel()->rowCount(), 4);
        QCOMPARE(window.layerModel()->layers().first().name, QString("fc1"));
    }

    void opensCheckpointAndShowsSparsity()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("sparse.pt");
        Checkpoint checkpoint;
        checkpoint.net = create_model(default_model_spec("convnet"));
        {
            at::NoGradGuard no_grad;
            checkpoint.net->named_parameters()["fc1.weight"].zero_();
        }
        save_checkpoint(checkpoint, path.toStdString());
        MainWindow window;
        QVERIFY(window.openModel(path));
        QVERIFY(window.windowTitle().contains("sparse.pt"));
        const auto rows = window.layerModel()->layers();
        QCOMPARE(rows[2].nonzero, 0);
        QCOMPARE(window.layerModel()->index(2, LayerTableModel::SparsityColumn).data().toString(),
                 QString("100.0%"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
