#include "app/main_window.h"
#include "support/test_support.h"
#include "widgets/layer_table_model.h"

#include "engine/checkpoint.h"
#include "engine/model_factory.h"

#include <QLabel>
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
