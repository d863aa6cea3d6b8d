// The window's dialogs and guided work, as a person meets them: the data dialog when no known
// data fits, New from Built-in with an untrained model, and the lesson driven to its last step
// (split from test_main_window.cpp).

#include "app/gui/action_text.h"
#include "app/gui/builtin_dialog.h"
#include "app/gui/data_dialog.h"
#include "app/gui/job_controller.h"
#include "app/gui/log_dock.h"
#include "app/gui/main_window.h"
#include "app/gui/recovery_store.h"
#include "engine/session/session.h"
#include "support/test_support.h"
#include "support/window_support.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/compaction_view.h"
#include "widgets/histogram_overview.h"
#include "widgets/layer_table_model.h"
#include "widgets/lesson_panel.h"
#include "widgets/pipeline_strip.h"
#include "widgets/training_curve_view.h"

#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"

#include "widgets/importance_histogram_view.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
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
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <qcustomplot.h>
#include <sys/stat.h>

using namespace prunelab;
class TestMainWindowDialogs : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("PruneLabTests");
        QCoreApplication::setApplicationName("test_main_window_dialogs");
    }

    void aModelNoKnownDataFitsAsksForData()
    {
        // vgg-small takes 3×32×32: Fashion-MNIST cannot feed it, so the data dialog opens, says
        // what the model takes, refuses Fashion-MNIST with the reason, and takes what fits.
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        QStringList expected, problems;
        window.setDialogRunner([&](QDialog& base) {
            auto& dialog = dynamic_cast<DataDialog&>(base);
            expected << dialog.findChild<QLabel*>("expectedInput")->text();
            dialog.show();
            dialog.setKind("fashion-mnist");
            dialog.accept();
            problems << dialog.problem();
            dialog.setKind("synthetic");
            dialog.setSyntheticShape("3,32,32", 10);
            dialog.accept();
            return dialog.result() == QDialog::Accepted;
        });
        QVERIFY(window.openModel("vgg-small"));
        QCOMPARE(expected.size(), 1);
        QVERIFY2(expected.first().contains("3×32×32"), qPrintable(expected.first()));
        QVERIFY2(problems.first().contains("the model takes 3×32×32"),
                 qPrintable(problems.first()));
        QCOMPARE(window.session()->data().spec, std::string("synthetic:3,32,32,10"));
        // A model Fashion-MNIST fits does not ask.
        QVERIFY(window.openModel("default"));
        QCOMPARE(expected.size(), 1);
        // File ▸ Open Data asks through the same dialog; cancelling keeps the data.
        window.setDialogRunner([&](QDialog&) { return false; });
        window.findChild<QAction*>("actionOpenData")->trigger();
        QCOMPARE(window.session()->data().spec, std::string("fashion-mnist"));
    }

    void newFromBuiltinOpensUntrainedModelsAtTrain()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("default"));
        auto* strip = window.findChild<PipelineStrip*>();
        QCOMPARE(strip->current(), 1); // trained: at Prune
        QStringList offered;
        window.setDialogRunner([&](QDialog& base) {
            auto& dialog = dynamic_cast<BuiltinModelDialog&>(base);
            for (int row = 0; row < dialog.modelCount(); ++row)
                offered << dialog.rowText(row).first();
            dialog.selectModel("lenet300");
            return true;
        });
        window.findChild<QAction*>("actionNewFromBuiltin")->trigger();
        QVERIFY(offered.contains("vit-tiny") && offered.contains("resnet20"));
        QCOMPARE(window.session()->info().spec.name, std::string("lenet300"));
        // Random weights: the strip is at Train (no tick) and the note says how to train.
        QCOMPARE(strip->current(), 0);
        QCOMPARE(strip->stageText(0), QString("Train"));
        QVERIFY(window.changeNote().contains("Train…"));
        // Training in the worker moves the strip on.
        window.session()->set_data({"fashion-mnist", 512, 256, 0.0});
        FineTuneSettings settings;
        settings.epochs = 1;
        QVERIFY(window.startFineTune(settings));
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(60000));
        QVERIFY(!window.session()->needs_training());
        QVERIFY(strip->current() >= 1);
        QCOMPARE(strip->stageText(0), QString("✓ Train"));
    }

    void autosaveIsOfferedAfterACrash()
    {
        // Issue 16: the window survives. A modified session is autosaved to the window's
        // recovery folder; after a crash (the folder's PID no longer runs) the next window
        // offers it and reopens it as unsaved work bound for its project.
        QTemporaryDir dir;
        qputenv("PRUNELAB_RECOVERY_DIR", dir.filePath("recovery").toLocal8Bit());
        const QString project = dir.filePath("work.prunelab.json");
        QString crashedFolder;
        {
            MainWindow window;
            test::quietWindow(window);
            window.setAutosaveInterval(0);
            QVERIFY(window.openModel("convnet"));
            QVERIFY(!window.autosave()); // nothing changed: nothing to keep
            test::typeGlobalRate(window, 40.0);
            QVERIFY(window.saveProject(project));
            test::typeGlobalRate(window, 60.0);
            QVERIFY(window.isModified());
            QVERIFY(window.autosave());
            const QString own = QFileInfo(window.recoveryStore().projectPath()).path();
            QVERIFY(QFile::exists(window.recoveryStore().projectPath()));
            // The crash: this process stands in for the window that died.
            QProcess exited;
            exited.start("true", QStringList());
            exited.waitForStarted();
            crashedFolder = dir.filePath("recovery/" + QString::number(exited.processId()));
            exited.waitForFinished();
            QVERIFY(QDir().rename(own, crashedFolder));
        }
        QVERIFY(QDir(crashedFolder).exists()); // a clean end removes only its own folder

        MainWindow next;
        test::quietWindow(next);
        QVERIFY(next.openModel("default"));
        QString offeredFor;
        next.setRecoveryQuestion([&](const QDateTime& saved, const QString& original) {
            offeredFor = original;
            return saved.secsTo(QDateTime::currentDateTime()) < 600;
        });
        QVERIFY(next.offerRecovery());
        QCOMPARE(offeredFor, project);
        QCOMPARE(next.session()->info().spec.name, std::string("convnet"));
        QCOMPARE(next.findChild<QDoubleSpinBox*>("globalRateSpin")->value(), 60.0);
        QVERIFY(next.isModified());
        QCOMPARE(next.projectPath(), project); // Save goes where the work was meant to go
        QVERIFY(!QDir(crashedFolder).exists());
        QVERIFY(QFile::exists(next.recoveryStore().projectPath())); // now held by this window
        QVERIFY(!next.offerRecovery());                             // offered once

        // Discard deletes an autosave for good; a real save removes the window's own.
        QVERIFY(QDir().rename(QFileInfo(next.recoveryStore().projectPath()).path(), crashedFolder));
        next.setRecoveryQuestion([](const QDateTime&, const QString&) { return false; });
        QVERIFY(!next.offerRecovery());
        QVERIFY(!QDir(crashedFolder).exists());
        QVERIFY(next.autosave());
        QVERIFY(next.saveProject(project));
        QVERIFY(!QFile::exists(next.recoveryStore().projectPath()));
        qunsetenv("PRUNELAB_RECOVERY_DIR");
    }

    void aProjectNamingFilesOutsideItsFolderAsksFirst()
    {
        // Issue 16: projects are data, not permissions — one naming ../ or absolute files could
        // read any file; the window asks, and opens nothing when told no.
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath("mine"));
        QDir().mkpath(dir.filePath("shared"));
        MainWindow window;
        test::quietWindow(window);
        window.setAutosaveInterval(0);
        QVERIFY(window.openModel("convnet"));
        test::typeGlobalRate(window, 30.0);
        QVERIFY(window.saveProject(dir.filePath("mine/work.prunelab.json")));
        QFile original(dir.filePath("mine/work.prunelab.json"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QJsonObject project = QJsonDocument::fromJson(original.readAll()).object();
        project["checkpoint"] = "../mine/work.pt";
        project["state"] = dir.filePath("mine/work.state.pt"); // absolute
        const QString shared = dir.filePath("shared/evil.prunelab.json");
        test::writeBytes(shared, QJsonDocument(project).toJson().toStdString());

        QVERIFY(window.openModel("default"));
        QStringList asked;
        window.setOutsidePathsQuestion([&](const QString&, const QStringList& files) {
            asked = files;
            return false;
        });
        QVERIFY(!window.openProject(shared));
        QCOMPARE(asked.size(), 2);
        QVERIFY(asked.first().endsWith("mine/work.pt"));
        QCOMPARE(window.findChild<QDoubleSpinBox*>("globalRateSpin")->value(), 0.0); // kept
        QCOMPARE(window.projectPath(), QString());
        window.setOutsidePathsQuestion([](const QString&, const QStringList&) { return true; });
        QVERIFY(window.openProject(shared));
        QCOMPARE(window.findChild<QDoubleSpinBox*>("globalRateSpin")->value(), 30.0);
        // The project's own files beside it open without a question.
        window.setOutsidePathsQuestion([](const QString&, const QStringList&) {
            [] { QFAIL("asked about a project's own files"); }();
            return false;
        });
        QVERIFY(window.openProject(dir.filePath("mine/work.prunelab.json")));
    }

    void lessonReachesItsLastStep()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        MainWindow window;
        test::quietWindow(window);
        QVERIFY(window.openModel("lenet300")); // the lesson brings its own model
        window.findChild<QAction*>("actionLesson")->trigger();
        LessonPanel* lesson = window.lesson();
        QVERIFY(lesson);
        QCOMPARE(lesson->currentStep(), 0);
        QVERIFY(lesson->highlighted() == window.findChild<PipelineStrip*>());
        lesson->runAction();
        QCOMPARE(window.session()->info().spec.name, std::string("convnet"));
        QVERIFY2(lesson->resultText().contains("test accuracy"), qPrintable(lesson->resultText()));
        window.session()->set_data({"fashion-mnist", 512, 500, 0.0}); // small, for the test
        auto stepAndRun = [&](int step) {
            lesson->next();
            QCOMPARE(lesson->currentStep(), step);
            lesson->runAction();
            QTRY_VERIFY_WITH_TIMEOUT(!window.jobs()->isBusy(), test::scaledTimeout(120000));
        };
        stepAndRun(1); // |w|
        QCOMPARE(window.session()->criterion(), std::string("l1"));
        QVERIFY(lesson->highlighted() == window.findChild<QComboBox*>("criterionCombo"));
        stepAndRun(2); // row norms
        QCOMPARE(window.session()->granularity(), std::string("filter"));
        stepAndRun(3); // mean activation, scored on the worker
        QCOMPARE(window.session()->criterion(), std::string("activation-abs"));
        QVERIFY(lesson->bodyText().contains("∂L/∂h"));
        stepAndRun(4); // 80% one-shot, measured
        QVERIFY(std::abs(window.session()->info().sparsity() - 0.8) < 0.01);
        QVERIFY2(lesson->resultText().contains("Accuracy fell"), qPrintable(lesson->resultText()));
        // The drop is measured from the dense line (the default's recorded 90.72%).
        QVERIFY2(lesson->resultText().contains(": 90.72% → "), qPrintable(lesson->resultText()));
        stepAndRun(5); // fine-tune
        QVERIFY2(lesson->resultText().contains("recovers it to"), qPrintable(lesson->resultText()));
        stepAndRun(6); // iterate to 90%
        QVERIFY2(lesson->resultText().contains("sparsity"), qPrintable(lesson->resultText()));
        stepAndRun(7); // distil
        QVERIFY2(lesson->resultText().contains("teacher"), qPrintable(lesson->resultText()));
        lesson->next();
        QCOMPARE(lesson->currentStep(), lesson->stepCount() - 1);
        // For the projector: larger text, thicker curves; and back.
        const qreal normal = QApplication::font().pointSizeF();
        auto* presentation = window.findChild<QAction*>("actionPresentation");
        presentation->trigger();
        QVERIFY(QApplication::font().pointSizeF() >= 1.5 * normal);
        QCOMPARE(window.curveView()->lineScale(), 2.0);
        presentation->trigger();
        QCOMPARE(QApplication::font().pointSizeF(), normal);
        QCOMPARE(window.curveView()->lineScale(), 1.0);
        QVERIFY(lesson->bodyText().contains("What you did") ||
                lesson->bodyText().contains("Scored the weights"));
    }
};

QTEST_MAIN(TestMainWindowDialogs)
#include "test_main_window_dialogs.moc"
