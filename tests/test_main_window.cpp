#include "app/gui/action_text.h"
#include "app/gui/job_controller.h"
#include "app/gui/log_dock.h"
#include "app/gui/main_window.h"
#include "engine/session/session.h"
#include "support/test_support.h"
#include "support/window_support.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/compaction_view.h"
#include "widgets/histogram_overview.h"
#include "widgets/layer_table_model.h"
#include "widgets/pipeline_strip.h"
#include "widgets/training_curve_view.h"

#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"

#include "widgets/importance_histogram_view.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QProcess>
#include <QSlider>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <qcustomplot.h>
#include <sys/stat.h>

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
        // The default was trained on the whole training split, so no validation sample is unseen:
        // the window measures it on the test split, whose accuracy the file records.
        QVERIFY2(status->text().contains("test accuracy 90.72%"), qPrintable(status->text()));
        QCOMPARE(window.curveView()->measureLabel(), QString("test accuracy (%)"));
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
                                     .data(Qt::UserRole)
                                     .toLongLong();

        // Drag the line from the far left to the middle of fc1's score range.
        const auto& h = view->histogram();
        const double middle = h.binLefts.front() + 0.5 * h.binWidth * h.binLefts.size();
        QWidget* plot = view->plot();
        const int y = plot->height() / 2;
        auto send = [&](QEvent::Type type, int x, Qt::MouseButton b, Qt::MouseButtons bs) {
            QMouseEvent e(type, QPointF(x, y), plot->mapToGlobal(QPointF(x, y)), b, bs,
                          Qt::NoModifier);
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
                                    .data(Qt::UserRole)
                                    .toLongLong();
        QCOMPARE(totalAfter, totalBefore - qint64(std::llround(sparsity * 16000)));
        QVERIFY(view->prunedSummaryText().startsWith("pruned "));
        QCOMPARE(model->index(1, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 0.0);

        // The whole drag (press, move, release) is one undoable edit: Ctrl+Z restores the dense
        // layer, Ctrl+Shift+Z prunes it again.
        QCOMPARE(window.undoStack()->count(), 1);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 0.0);
        QCOMPARE(model->index(model->totalsRow(), LayerTableModel::KeptColumn)
                     .data(Qt::UserRole)
                     .toLongLong(),
                 totalBefore);
        QCOMPARE(view->prunedSummaryText(), QString("pruned 0.0% (0 of 16,000)"));
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 sparsity);

        // Dragging back to the far left restores the dense layer.
        send(QEvent::MouseButtonPress, view->pixelForScore(middle), Qt::LeftButton, Qt::LeftButton);
        send(QEvent::MouseMove, view->pixelForScore(h.binLefts.front() - h.binWidth), Qt::NoButton,
             Qt::LeftButton);
        send(QEvent::MouseButtonRelease, view->pixelForScore(h.binLefts.front() - h.binWidth),
             Qt::LeftButton, Qt::NoButton);
        QCOMPARE(model->index(2, LayerTableModel::SparsityColumn).data(Qt::UserRole).toDouble(),
                 0.0);
    }

    void asksForTheInputShapeOfAScriptedModel()
    {
        // A model made in Python that does not say its input shape: the window asks (a bad
        // answer is an error and it asks again), and opens it with the answer.
        QTemporaryDir dir;
        const QString path = dir.filePath("features.pt");
        if (!test::makeScriptedMlp(path))
            QSKIP("python3-torch is not available");
        MainWindow window;
        window.setAutoEvaluate(false);
        QStringList errors, asked;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        QStringList answers = {"64,x", "64"};
        window.setInputShapeQuestion([&](const QString& model) {
            asked << model;
            return answers.isEmpty() ? QString() : answers.takeFirst();
        });
        QVERIFY(window.openModel(path));
        QCOMPARE(asked.size(), 2);
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().contains("64,x"), qPrintable(errors.first()));
        QCOMPARE(window.session()->info().spec.input_shape, std::vector<int64_t>{64});
        QCOMPARE(window.layerModel()->rowCount(), 3); // two Linear layers and the totals
        // Cancelled: nothing opened, the current model stays, no error.
        QVERIFY(!window.openModel(path));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(window.session()->info().spec.input_shape, std::vector<int64_t>{64});
    }

    void aSecondModelStartsClean()
    {
        // Issue 15 item 5: after a compacted ConvNet, a TorchScript MLP opened from the window
        // kept the pipeline's stages, the compaction's "changed since" note and an empty legend;
        // the status bar named it "torchscript"; its first measurement drew no dense line.
        QTemporaryDir dir;
        const QString path = dir.filePath("features.pt");
        if (!test::makeScriptedMlp(path))
            QSKIP("python3-torch is not available");
        MainWindow window;
        test::quietWindow(window);
        window.setInputShapeQuestion([](const QString&) { return QString("64"); });
        QVERIFY(window.openModel("default"));
        window.findChild<QComboBox*>("granularityCombo")->setCurrentText("filter");
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(30.0);
        emit spin->editingFinished();
        window.findChild<QAction*>("actionCompact")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QCOMPARE(window.findChild<PipelineStrip*>()->current(), 4);

        QVERIFY(window.openModel(path));
        auto* strip = window.findChild<PipelineStrip*>();
        QCOMPARE(strip->current(), 1); // at Prune, nothing done after Train
        QVERIFY(strip->warning(3).isEmpty());
        QCOMPARE(window.compactionView()->rowCount(), 0);
        QVERIFY2(!window.compactionView()->notesText().contains("changed since"),
                 qPrintable(window.compactionView()->notesText()));
        QVERIFY(!window.curveView()->plot()->legend->visible()); // nothing to explain yet
        const QString status = window.findChild<QLabel*>("modelStatus")->text();
        QVERIFY2(status.startsWith("features.pt"), qPrintable(status));
        QVERIFY(!window.curveView()->baseline());
        QVERIFY(window.startEvaluate());
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        // The first measurement of the model as opened is its dense line.
        QVERIFY(window.curveView()->baseline());
        QCOMPARE(*window.curveView()->baseline(), *window.session()->accuracy());
        QVERIFY(window.curveView()->plot()->legend->visible());
        // The measured model is marked on the curves.
        QVERIFY(window.curveView()->currentPoint());
        QCOMPARE(window.curveView()->currentPoint()->accuracy, *window.session()->accuracy());
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
        QTRY_VERIFY(log->text().contains("cannot open " + bad, Qt::CaseInsensitive));
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
        // Dropped on the window, as from a file manager.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(window.windowTitle().contains("sparse.pt"));
        const auto rows = window.layerModel()->layers();
        QCOMPARE(rows[2].nonzero, 0);
        QCOMPARE(window.layerModel()->index(2, LayerTableModel::SparsityColumn).data().toString(),
                 QString("100.0%"));
    }

    void fineTuneStopsWhileTheWindowAnswers()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        window.setAutoEvaluate(false);
        QStringList errors;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        QVERIFY(window.openModel("default"));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.session()->set_data({"fashion-mnist", 6000, 500});
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(60.0);
        emit spin->editingFinished();
        const auto masks = window.session()->mask_bits();
        const qint64 kept = window.session()->info().nonzero_weights;

        // A 10 ms timer measures how long the event loop ever goes without answering.
        QElapsedTimer clock;
        qint64 last = 0, worstGap = 0;
        QTimer tick;
        tick.setInterval(10);
        connect(&tick, &QTimer::timeout, [&] {
            worstGap = std::max(worstGap, clock.elapsed() - last);
            last = clock.elapsed();
        });
        clock.start();
        tick.start();
        FineTuneSettings settings;
        settings.epochs = 30;
        QVERIFY(window.startFineTune(settings));
        QVERIFY(window.jobs()->isBusy());
        QVERIFY(!spin->isEnabled()); // edits wait for a job that changes the model
        QVERIFY(!window.histogramView()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(window.trainingView()->lossPoints().size() >= 3,
                                 test::scaledTimeout(60000));
        auto* stop = window.findChild<QAction*>("actionStop");
        QVERIFY(stop && stop->isEnabled());
        stop->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(20000));
        tick.stop();
        QVERIFY2(worstGap < 100, qPrintable(QString("event loop stalled %1 ms").arg(worstGap)));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        // Consistent after the stop: same masks, pruned weights still zero, editing back on.
        QCOMPARE(window.session()->mask_bits(), masks);
        QCOMPARE(window.session()->info().nonzero_weights, kept);
        QVERIFY(window.session()->is_finetuned());
        QVERIFY(window.changeNote().contains("last completed step"));
        QVERIFY(spin->isEnabled());
        QVERIFY(!stop->isEnabled());
        QVERIFY(window.isModified());
        // And it still evaluates.
        QVERIFY(window.startEvaluate());
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->accuracy().has_value(),
                                 test::scaledTimeout(30000));
        QVERIFY(*window.session()->accuracy() > 0.5);
    }

    void distilJoinsTheCurves()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        window.session()->set_data({"fashion-mnist", 512, 300});
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(85.0);
        emit spin->editingFinished();
        const auto masks = window.session()->mask_bits();
        DistillSettings settings;
        settings.epochs = 1;
        QVERIFY(window.startDistill(settings));
        QVERIFY(!spin->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QCOMPARE(window.curveView()->series()["distilled"].size(), 1);
        QVERIFY(std::abs(window.curveView()->series()["distilled"][0].sparsity - 0.85) < 1e-3);
        QVERIFY(!window.trainingView()->lossPoints().isEmpty());
        QVERIFY(window.trainingView()->title().startsWith("Distil"));
        QCOMPARE(window.session()->mask_bits(), masks);
        QVERIFY(window.changeNote().contains("Distil"));
    }

    void sweepDrawsTwoCriteria()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        window.session()->set_data({"fashion-mnist", 256, 500});
        SweepSettings settings;
        settings.criteria = {"l1", "random"};
        settings.sparsities = {0.3, 0.8};
        QVERIFY(window.startSweep(settings));
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        auto* curves = window.curveView();
        QCOMPARE(curves->seriesOrder(), QStringList({"l1", "random"}));
        QCOMPARE(curves->series()["l1"].size(), 2);
        QCOMPARE(curves->series()["random"].size(), 2);
        QVERIFY(curves->baseline().has_value());
        QCOMPARE(window.session()->info().sparsity(), 0.0); // a sweep leaves the model alone
    }

    void secondSweepGetsItsOwnSeriesAndCurvesClear()
    {
        // Issue 15, item 4: a second sweep's points merged into the first's series of the same
        // name (zig-zag curves), and nothing removed a series.
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("convnet"));
        window.session()->set_data({"synthetic", 64, 32});
        SweepSettings settings;
        settings.criteria = {"l1"};
        settings.sparsities = {0.3, 0.8};
        for (int run = 0; run < 3; ++run) {
            QVERIFY(window.startSweep(settings));
            QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        }
        auto* curves = window.curveView();
        QCOMPARE(curves->seriesOrder(), QStringList({"l1", "l1 (2)", "l1 (3)"}));
        for (const QString& name : curves->seriesOrder())
            QCOMPARE(curves->series()[name].size(), 2);
        // Each sweep is a named run of the Runs list ("Sweep l1 · 14:05").
        QCOMPARE(curves->runs().size(), 3);
        for (const QString& run : curves->runs())
            QVERIFY2(run.startsWith("Sweep l1 · "), qPrintable(run));
        // Runs survive a project: names, and a hidden one stays hidden.
        QTemporaryDir dir;
        const QString second = curves->runOf("l1 (2)");
        const QString renamed = curves->renameRun(second, "the second sweep");
        curves->setRunVisible(renamed, false);
        QVERIFY(window.saveProject(dir.filePath("runs.prunelab.json")));
        MainWindow reopened;
        reopened.setAutoEvaluate(false);
        QVERIFY(reopened.openProject(dir.filePath("runs.prunelab.json")));
        QCOMPARE(reopened.curveView()->runs(), curves->runs());
        QVERIFY(!reopened.curveView()->isRunVisible("the second sweep"));
        QAction* clear = window.findChild<QAction*>("clearCurvesAction");
        QVERIFY(clear && clear->isEnabled());
        clear->trigger();
        QVERIFY(curves->series().isEmpty());
        QVERIFY(curves->baseline().has_value()); // the dense line stays
        QVERIFY(window.startSweep(settings));
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QCOMPARE(curves->seriesOrder(), QStringList({"l1"}));
    }

    void projectSavesAndReopens()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("lesson.prunelab.json");
        std::map<std::string, std::vector<bool>> masks;
        std::map<std::string, float> thresholds;
        {
            MainWindow window;
            window.setAutoEvaluate(false);
            window.setErrorHandler([](const QString& e) { QFAIL(qPrintable(e)); });
            QVERIFY(window.openModel("default"));
            window.findChild<QComboBox*>("criterionCombo")->setCurrentText("l2");
            auto* model = window.layerModel();
            QVERIFY(model->setData(model->index(0, LayerTableModel::LockedColumn), Qt::Checked,
                                   Qt::CheckStateRole));
            auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
            spin->setValue(45.0);
            emit spin->editingFinished();
            window.curveView()->addPoint("l1", {0.5, 0.5, 0.6, 0.88});
            window.curveView()->addPoint("l1", {0.9, 0.1, 0.2, 0.70});
            window.curveView()->setBaseline(0.9072);
            QVERIFY(window.isModified());
            QVERIFY(window.saveProject(path));
            QVERIFY(!window.isModified());
            QVERIFY(window.windowTitle().contains("lesson.prunelab.json"));
            masks = window.session()->mask_bits();
            thresholds = window.session()->thresholds();
        }
        QVERIFY(QFile::exists(dir.filePath("lesson.pt")));
        QVERIFY(QFile::exists(dir.filePath("lesson.state.pt")));
        QVERIFY(QFile::exists(dir.filePath("lesson.recipe.json"))); // replays the project's pruning
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel(path)); // projects open through the same entry point
        QCOMPARE(window.session()->mask_bits(), masks);
        QCOMPARE(window.session()->thresholds(), thresholds);
        QCOMPARE(window.findChild<QComboBox*>("criterionCombo")->currentText(), QString("l2"));
        QVERIFY(window.layerModel()->layers()[0].locked);
        QCOMPARE(window.curveView()->series()["l1"].size(), 2);
        QCOMPARE(window.curveView()->series()["l1"][1].accuracy, 0.70);
        QCOMPARE(*window.curveView()->baseline(), 0.9072);
        QCOMPARE(window.findChild<QDoubleSpinBox*>("globalRateSpin")->value(), 45.0);
        QVERIFY(!window.isModified());
    }

    void brokenProjectKeepsTheSession()
    {
        QTemporaryDir dir;
        MainWindow window;
        QStringList errors;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        QVERIFY(window.openModel("lenet300"));
        const QString notProject = dir.filePath("x.prunelab.json");
        test::writeBytes(notProject, "{\"format\": \"something-else\"}");
        QVERIFY(!window.openModel(notProject));
        QVERIFY(errors.last().contains("not a PruneLab project"));
        // A project whose state file is missing names it.
        test::writeBytes(notProject, "{\"format\": \"prunelab-project\", \"format_version\": 1, "
                                     "\"checkpoint\": \"x.pt\", \"state\": \"x.state.pt\"}");
        QVERIFY(!window.openModel(notProject));
        QVERIFY(errors.last().contains("x.state.pt"));
        QCOMPARE(window.layerModel()->layers().first().name, QString("fc1"));
        // A named pipe as the project: refused at once (reading it would block the window).
        const QString pipe = dir.filePath("pipe.prunelab.json");
        QVERIFY(::mkfifo(pipe.toLocal8Bit().constData(), 0600) == 0);
        QVERIFY(!window.openModel(pipe));
        QVERIFY2(errors.last().contains("not a regular file"), qPrintable(errors.last()));
        // Saving into a missing folder fails without touching the session.
        QVERIFY(!window.saveProject(dir.filePath("missing/y.prunelab.json")));
        QCOMPARE(window.layerModel()->rowCount(), 4);
    }

    void exportWritesThePrunedCheckpoint()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setAutoEvaluate(false);
        QStringList errors;
        window.setErrorHandler([&](const QString& e) { errors << e; });
        QVERIFY(window.openModel("default"));
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(70.0);
        emit spin->editingFinished();
        const QString path = dir.filePath("pruned.pt");
        QVERIFY(window.exportAs("checkpoint", path));
        QVERIFY(QFile::exists(dir.filePath("pruned.recipe.json")));
        QVERIFY(window.exportAs("state_dict", dir.filePath("sd.pt")));
        QVERIFY(window.exportAs("masks", dir.filePath("masks.pt")));
        QVERIFY(window.exportAs("report", dir.filePath("report.json")));
        QVERIFY(window.exportAs("netron", dir.filePath("model.attachment.json")));
        QFile netron(dir.filePath("model.attachment.json"));
        QVERIFY(netron.open(QIODevice::ReadOnly));
        QVERIFY(QJsonDocument::fromJson(netron.readAll()).object()["signature"].toString() ==
                "netron:attachment");
        // The recipe replays the same masks through the CLI.
        QVERIFY(window.exportAs("recipe", dir.filePath("recipe.json")));
        QString out, err;
        QVERIFY2(
            test::runCli({"run", dir.filePath("recipe.json"), "--out", dir.filePath("replayed.pt")},
                         &out, &err) == 0,
            qPrintable(err));
        QCOMPARE(Session::open(dir.filePath("replayed.pt").toStdString())->mask_bits(),
                 window.session()->mask_bits());
        QFile report(dir.filePath("report.json"));
        QVERIFY(report.open(QIODevice::ReadOnly));
        const auto json = QJsonDocument::fromJson(report.readAll()).object();
        QVERIFY(std::abs(json["sparsity"].toDouble() - 0.7) < 1e-3);
        QCOMPARE(json["pruning"].toObject()["criterion"].toString(), QString("l1"));
        auto reopened = Session::open(path.toStdString());
        QCOMPARE(reopened->mask_bits(), window.session()->mask_bits());
        QCOMPARE(reopened->info().nonzero_weights, window.session()->info().nonzero_weights);
        // Into a missing folder: an error, and the earlier export is still there.
        QVERIFY(!window.exportAs("checkpoint", dir.filePath("missing/pruned.pt")));
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().contains("missing"));
        QVERIFY(QFile::exists(path));
    }

    void closeAsksAboutUnsavedChanges()
    {
        MainWindow window;
        window.setAutoEvaluate(false);
        QVERIFY(window.openModel("convnet"));
        window.show();
        QVERIFY(!window.isModified());
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(20.0);
        emit spin->editingFinished();
        QVERIFY(window.isModified());
        int asked = 0;
        window.setCloseQuestion([&] {
            ++asked;
            return int(QMessageBox::Cancel);
        });
        QVERIFY(!window.close());
        QCOMPARE(asked, 1);
        QVERIFY(window.isVisible());
        window.setCloseQuestion([&] {
            ++asked;
            return int(QMessageBox::Discard);
        });
        QVERIFY(window.close());
        QCOMPARE(asked, 2);
    }

    void overviewSelectsAndLogAxisStillPrunes()
    {
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* overview = window.overview();
        QCOMPARE(overview->count(), 4);
        QTest::mouseClick(overview, Qt::LeftButton, {}, overview->cellRect(3).center());
        QCOMPARE(window.histogramView()->histogram().layer, QString("fc2"));
        QCOMPARE(window.layerTable()->currentIndex().row(), 3);
        // Log score axis: bins over log10|w|; a threshold at log10 = x prunes scores <= 10^x.
        window.findChild<QAction*>("actionLogScoreAxis")->trigger();
        window.selectLayer(2);
        const auto& h = window.histogramView()->histogram();
        QVERIFY(h.log10);
        QVERIFY(h.binLefts.front() < -3.0); // |w| of 1e-3 and below are on the axis
        const double x = h.binLefts.front() + 0.5 * h.binWidth * h.binLefts.size();
        emit window.histogramView()->thresholdDragged(x);
        emit window.histogramView()->thresholdDragFinished(x);
        QCOMPARE(window.session()->prune_state("fc1").threshold, float(std::pow(10.0, x)));
        QVERIFY(window.layerModel()->layers()[2].sparsity() > 0.0);
    }

    void compactShowsDenseMaskedAndCompactedSideBySide()
    {
        QTemporaryDir dir;
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        window.findChild<QComboBox*>("granularityCombo")->setCurrentText("filter");
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(50.0);
        emit spin->editingFinished();
        auto* view = window.compactionView();
        QCOMPARE(view->rowCount(), 0);
        auto* exportCompacted = window.findChild<QAction*>("actionExportCompacted");
        QVERIFY(!exportCompacted->isEnabled()); // nothing compacted yet
        window.findChild<QAction*>("actionCompact")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QCOMPARE(view->rowCount(), 3);
        QVERIFY(exportCompacted->isEnabled());
        // Equal outputs say so in words (was "differ … by at most 0.").
        QVERIFY2(view->notesText().contains("identical") ||
                     view->notesText().contains("at most 1e"),
                 qPrintable(view->notesText()));
        QVERIFY(!view->notesText().contains("at most 0."));
        QCOMPARE(view->cellText(2, 0), QString("compacted"));
        QVERIFY(view->cellText(2, 6).endsWith("ms"));
        QCOMPARE(window.findChild<PipelineStrip*>()->current(), 4); // "Small model" done
        QVERIFY(window.exportAs("compacted", dir.filePath("small.pt")));
        // File ▸ Export ▸ ONNX writes the compacted model while it is current.
        QVERIFY(window.exportAs("onnx", dir.filePath("small.onnx")));
        QVERIFY2(window.statusBar()->currentMessage().contains("compacted model as ONNX"),
                 qPrintable(window.statusBar()->currentMessage()));
        const auto small = load_checkpoint(dir.filePath("small.pt").toStdString());
        QVERIFY(small.net->spec().widths.at("conv2") < 20);
        QCOMPARE(QLocale().toString(qint64(describe_model(*small.net).total_params)),
                 view->cellText(2, 1));
        // An edit makes the comparison stale: the view says so, the strip steps back.
        spin->setValue(30.0);
        emit spin->editingFinished();
        QCOMPARE(view->rowCount(), 0);
        QVERIFY(window.findChild<PipelineStrip*>()->current() < 4);
        QVERIFY(!exportCompacted->isEnabled()); // of a model that is no longer shown
        // Then the shown (masked) model: all of conv2's filters present, so a larger file.
        QVERIFY(window.exportAs("onnx", dir.filePath("masked.onnx")));
        QVERIFY2(window.statusBar()->currentMessage().contains("masked model as ONNX"),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY(QFileInfo(dir.filePath("masked.onnx")).size() >
                QFileInfo(dir.filePath("small.onnx")).size());
    }

    void exportDialogTitlesAreMenuTextWithoutMarkers()
    {
        QCOMPARE(plainActionText("Co&mpacted Model…"), QString("Compacted Model"));
        QCOMPARE(plainActionText("PyTorch &state_dict…"), QString("PyTorch state_dict"));
        QCOMPARE(plainActionText("Save && Quit"), QString("Save & Quit"));
        // Error boxes stay on the screen: 8 lines of 160 characters at most, cut with "…".
        QString graph;
        for (int i = 0; i < 40; ++i)
            graph += QString("%1: %2\n").arg(i).arg(QString(300, 'x'));
        const QStringList lines = errorSummary(graph).split('\n');
        QCOMPARE(lines.size(), 9);
        QCOMPARE(lines.last(), QString(QChar(0x2026)));
        QCOMPARE(lines.first().size(), 160);
        QCOMPARE(errorSummary("model.pt: not found"), QString("model.pt: not found"));
    }

    void sensitivityEnablesAllocationAndApplyCommits()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        window.session()->set_data({"fashion-mnist", 256, 300});
        auto* autoAllocate = window.findChild<QAction*>("actionAutoAllocate");
        QVERIFY(!autoAllocate->isEnabled());
        window.findChild<QAction*>("actionSensitivity")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QVERIFY(autoAllocate->isEnabled() && autoAllocate->isChecked());
        QVERIFY(window.session()->auto_allocation());
        QCOMPARE(window.curveView()->series()["sensitivity fc1"].size(), 9);
        auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
        spin->setValue(60.0);
        emit spin->editingFinished();
        const auto masks = window.session()->mask_bits();
        window.findChild<QAction*>("actionApply")->trigger();
        QCOMPARE(window.session()->mask_bits(), masks);
        QCOMPARE(window.undoStack()->count(), 0);
        QVERIFY(window.changeNote().contains("Apply"));
        QVERIFY(!autoAllocate->isEnabled()); // the analysis was of the weights before Apply
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
