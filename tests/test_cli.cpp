#include "engine/interop/checkpoint.h"
#include "engine/pruning/row_patterns.h"
#include "support/test_support.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using prunelab::test::lastLine;
using prunelab::test::runCli;

namespace {

QJsonObject jsonOf(const QString& out)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(lastLine(out).toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(lastLine(out)));
    return doc.object();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void versionAndHelp()
    {
        QString out;
        QCOMPARE(runCli({"--version"}, &out), 0);
        QVERIFY(out.startsWith("prunelab-cli " PRUNELAB_TEST_VERSION));
        QCOMPARE(runCli({"--help"}, &out), 0);
        for (const char* command : {"info", "train", "eval", "demo"})
            QVERIFY2(out.contains(QString("  ") + command), command);
        QCOMPARE(runCli({"train", "--help"}, &out), 0);
        QVERIFY(out.contains("--optimizer"));
    }

    void infoReportsLayers()
    {
        QString out;
        QCOMPARE(runCli({"info", "convnet", "--json"}, &out), 0);
        const auto json = jsonOf(out);
        QCOMPARE(json["params"].toInteger(), 21840);
        QCOMPARE(json["sparsity"].toDouble(), 0.0);
        QCOMPARE(json["flops"].toInteger(), 480500);
        const auto layers = json["layers"].toArray();
        QCOMPARE(layers.size(), 4);
        QCOMPARE(layers[1].toObject()["name"].toString(), QString("conv2"));
        QCOMPARE(runCli({"info", "lenet5"}, &out), 0);
        QVERIFY(out.contains("fc3"));
        QVERIFY(out.contains("total"));
    }

    void trainThenEvalAgree()
    {
        QTemporaryDir dir;
        const QString ckpt = dir.filePath("tiny.pt");
        QString out, err;
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "256",    "--test-limit", "128"};
        QCOMPARE(runCli(QStringList{"train", "lenet5", "--epochs", "2", "--batch", "32", "--out",
                                    ckpt, "--json"} +
                            data,
                        &out, &err),
                 0);
        const auto trained = jsonOf(out);
        QVERIFY2(trained["accuracy"].toDouble() > 0.5, qPrintable(out));
        QCOMPARE(trained["paths"].toObject()["checkpoint"].toString(), ckpt);
        QCOMPARE(trained["epochs"].toArray().size(), 2);
        QVERIFY(err.contains("epoch  2")); // per-epoch lines go to stderr

        QCOMPARE(runCli(QStringList{"eval", ckpt, "--json"} + data, &out, &err), 0);
        const auto evaluated = jsonOf(out);
        QCOMPARE(evaluated["accuracy"].toDouble(), trained["accuracy"].toDouble());
        QCOMPARE(evaluated["samples"].toInteger(), 128);
    }

    void pruneWritesMaskedCheckpoint()
    {
        QTemporaryDir dir;
        const QString dense = dir.filePath("dense.pt");
        const QString pruned = dir.filePath("pruned.pt");
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "256",    "--test-limit", "64"};
        QString out, err;
        QCOMPARE(runCli(QStringList{"train", "convnet", "--epochs", "1", "--out", dense} + data),
                 0);
        QCOMPARE(runCli(QStringList{"prune", dense, "--criterion", "l1", "--granularity", "filter",
                                    "--rate", "0.5", "--finetune-epochs", "1", "--out", pruned,
                                    "--json"} +
                            data,
                        &out, &err),
                 0);
        const auto json = jsonOf(out);
        QCOMPARE(json["granularity"].toString(), QString("filter"));
        const auto layers = json["layers"].toArray();
        QCOMPARE(layers[1].toObject()["pruned_elements"].toInteger(), 10); // half of conv2's 20
        QVERIFY(!layers[3].toObject()["pruned"].toBool());                 // the output layer stays
        QVERIFY(json["sparsity"].toDouble() > 0.4);
        QVERIFY(json.contains("dense_accuracy"));

        // The masks travel in the checkpoint: info reports the same sparsity, and pruning it
        // again with a smaller rate keeps what was pruned.
        QCOMPARE(runCli({"info", pruned, "--json"}, &out), 0);
        QCOMPARE(jsonOf(out)["sparsity"].toDouble(), json["sparsity"].toDouble());
        QCOMPARE(
            runCli(QStringList{"prune", pruned, "--rate", "0.1", "--out", dense, "--json"} + data,
                   &out, &err),
            0);
        QVERIFY(jsonOf(out)["sparsity"].toDouble() >= json["sparsity"].toDouble());
    }

    void pruneByWandaInATwoOfFourPattern()
    {
        QTemporaryDir dir;
        const QString pruned = dir.filePath("pruned.pt");
        QString out, err;
        QCOMPARE(runCli({"prune", "lenet5", "--data", "synthetic", "--train-limit", "128",
                         "--test-limit", "32", "--criterion", "wanda", "--granularity", "2:4",
                         "--calibration-batches", "1", "--out", pruned, "--json"},
                        &out, &err),
                 0);
        const auto json = jsonOf(out);
        QCOMPARE(json["granularity"].toString(), QString("2:4"));
        QCOMPARE(json["criterion"].toString(), QString("wanda"));
        QVERIFY2(json["warnings"].toArray().size() == 2, qPrintable(out)); // conv1, conv2 dense
        const auto checkpoint = prunelab::load_checkpoint(pruned.toStdString());
        for (const char* layer : {"fc1.weight", "fc2.weight", "fc3.weight"})
            QVERIFY(prunelab::satisfies_n_of_m(checkpoint.masks.at(layer), {2, 4}));
        // The pattern decides how much: a rate as well is a usage error.
        QCOMPARE(runCli({"prune", "lenet5", "--data", "synthetic", "--granularity", "2:4", "--rate",
                         "0.5", "--out", pruned},
                        &out, &err),
                 2);
        QVERIFY2(err.contains("drop --rate"), qPrintable(err));
    }

    void distillIntoSmallAndPrunedStudents()
    {
        QTemporaryDir dir;
        const QString teacher = dir.filePath("teacher.pt");
        const QString pruned = dir.filePath("pruned.pt");
        const QString student = dir.filePath("student.pt");
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "256",    "--test-limit", "64"};
        QString out, err;
        QCOMPARE(runCli(QStringList{"train", "convnet", "--epochs", "2", "--out", teacher} + data),
                 0);
        // A fresh smaller student.
        QCOMPARE(runCli(QStringList{"distill", "--teacher", teacher, "--student", "convnet-small",
                                    "--epochs", "2", "--temperature", "3", "--alpha", "0.7",
                                    "--out", student, "--json"} +
                            data,
                        &out, &err),
                 0);
        auto json = jsonOf(out);
        QCOMPARE(json["command"].toString(), QString("distill"));
        QCOMPARE(json["temperature"].toDouble(), 3.0);
        QCOMPARE(json["epochs"].toArray().size(), 2);
        QVERIFY(json["epochs"].toArray()[1].toObject()["kd_loss"].toDouble() > 0.0);
        QVERIFY(json["student_params"].toInteger() * 4 < json["teacher_params"].toInteger());
        QVERIFY(QFile::exists(student));
        // A pruned student keeps its masks through distillation.
        QCOMPARE(
            runCli(QStringList{"prune", teacher, "--rate", "0.8", "--global", "--out", pruned} +
                   data),
            0);
        QCOMPARE(runCli(QStringList{"distill", "--teacher", teacher, "--student", pruned,
                                    "--epochs", "1", "--out", student, "--json"} +
                            data,
                        &out, &err),
                 0);
        json = jsonOf(out);
        QVERIFY(std::abs(json["student_sparsity"].toDouble() - 0.8) < 0.01);
        QCOMPARE(runCli({"info", student, "--json"}, &out), 0);
        QVERIFY(std::abs(jsonOf(out)["sparsity"].toDouble() - 0.8) < 0.01);
        // Bad settings are usage errors; nothing is written over the student.
        const auto before = prunelab::test::readBytes(student);
        QCOMPARE(runCli(QStringList{"distill", "--teacher", teacher, "--student", "convnet-small",
                                    "--alpha", "1.5", "--out", student} +
                            data,
                        &out, &err),
                 2);
        QVERIFY(err.contains("--alpha"));
        QCOMPARE(runCli(QStringList{"distill", "--teacher", teacher, "--student", "lenet5",
                                    "--temperature", "0", "--out", student} +
                            data,
                        &out, &err),
                 2);
        QCOMPARE(prunelab::test::readBytes(student), before);
    }

    void trainingAPrunedCheckpointHoldsItsMasks()
    {
        // Issue 16 item 5: `train` on a 50% pruned checkpoint regrew the pruned weights (to
        // 11.5% sparsity) while keeping its masks and pruning metadata.
        QTemporaryDir dir;
        const QStringList data = {"--data",       "synthetic", "--train-limit",  "128",
                                  "--test-limit", "32",        "--val-fraction", "0"};
        QString out, err;
        QVERIFY2(
            runCli(QStringList{"prune", "default", "--rate", "0.5", "--out", dir.filePath("p.pt")} +
                       data,
                   &out, &err) == 0,
            qPrintable(err));
        QVERIFY2(runCli(QStringList{"train", dir.filePath("p.pt"), "--epochs", "1", "--lr", "0.01",
                                    "--out", dir.filePath("t.pt"), "--json"} +
                            data,
                        &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(err.contains("holds its pruning masks"), qPrintable(err));
        QVERIFY2(jsonOf(out)["sparsity"].toDouble() >= 0.5 - 1e-3, qPrintable(out));
        // Dropping them is a choice, said out loud, and the pruning record goes with them.
        QVERIFY2(runCli(QStringList{"train", dir.filePath("p.pt"), "--epochs", "1", "--lr", "0.01",
                                    "--drop-masks", "--out", dir.filePath("d.pt"), "--json"} +
                            data,
                        &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(err.contains("drops its pruning masks"), qPrintable(err));
        QVERIFY(jsonOf(out)["sparsity"].toDouble() < 0.45); // weights grew back
        const auto dropped = prunelab::load_checkpoint(dir.filePath("d.pt").toStdString());
        QVERIFY(dropped.masks.empty());
        QVERIFY(!dropped.metadata.contains("pruning"));
    }

    void deeplyNestedJsonIsRefusedNotACrash()
    {
        // Issue 16 item 3: 100,000 levels of nesting in a checkpoint's metadata (or a recipe)
        // parsed, then overflowed the stack on every save (and when it was freed).
        QTemporaryDir dir;
        QString out, err;
        const QString plain = dir.filePath("plain.pt");
        QVERIFY2(runCli({"prune", "default", "--rate", "0.3", "--data", "synthetic",
                         "--train-limit", "32", "--test-limit", "32", "--out", plain},
                        &out, &err) == 0,
                 qPrintable(err));
        const QString deep = dir.filePath("deep.pt");
        int code = 0;
        const QString made = prunelab::test::runPython(
            {"-c",
             "import sys, torch; c = torch.load(sys.argv[1]); "
             "c['metadata'] = '[' * 100000 + ']' * 100000; torch.save(c, sys.argv[2])",
             plain, deep},
            &code);
        if (code != 0)
            QSKIP(qPrintable("python3-torch: " + made));
        for (const QStringList& args :
             {QStringList{"info", deep},
              QStringList{"prune", deep, "--rate", "0.5", "--data", "synthetic", "--train-limit",
                          "32", "--test-limit", "32", "--out", dir.filePath("out.pt")}}) {
            const int status = runCli(args, &out, &err);
            QVERIFY2(status == 1, qPrintable(args.first() + ": " + QString::number(status) + err));
            QVERIFY2(err.contains("nested deeper than 64 levels") && err.contains("deep.pt"),
                     qPrintable(err));
        }
        QVERIFY(!QFile::exists(dir.filePath("out.pt")));
        // A recipe is refused the same way.
        const QString recipe = dir.filePath("deep.json");
        prunelab::test::writeBytes(recipe, "{\"comment\": " + std::string(100000, '[') +
                                               std::string(100000, ']') + "}");
        QCOMPARE(runCli({"run", recipe}, &out, &err), 1);
        QVERIFY2(err.contains("nested deeper than 64 levels"), qPrintable(err));
    }

    void pruneOptionsAreCheckedAsTheRecipeWillBe()
    {
        // Issue 16 item 11: `prune --optimizer bogus` (unused without fine-tuning) ran and saved
        // a recipe that `run` then rejected.
        QTemporaryDir dir;
        QString out, err;
        QCOMPARE(runCli({"prune", "default", "--rate", "0.3", "--optimizer", "bogus", "--data",
                         "synthetic", "--train-limit", "32", "--test-limit", "32", "--out",
                         dir.filePath("q.pt"), "--save-recipe", dir.filePath("q.json")},
                        &out, &err),
                 2);
        QVERIFY2(err.contains("--optimizer must be sgd or adam"), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath("q.pt")) && !QFile::exists(dir.filePath("q.json")));
        QCOMPARE(runCli({"prune", "default", "--rate", "0.3", "--lr-schedule", "sometimes",
                         "--data", "synthetic", "--out", dir.filePath("q.pt")},
                        &out, &err),
                 1);
        QVERIFY2(err.contains("lr_schedule"), qPrintable(err));
    }

    void outputsAreCheckedTogetherBeforeAnyWork()
    {
        // Issue 16 items 6 and 11: `export X --state-dict X` replaced the checkpoint with a bare
        // state_dict; two outputs naming one file overwrote each other.
        QTemporaryDir dir;
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "32",     "--test-limit", "32"};
        QString out, err;
        const QString model = dir.filePath("p.pt");
        QVERIFY2(runCli(QStringList{"prune", "default", "--rate", "0.3", "--out", model} + data,
                        &out, &err) == 0,
                 qPrintable(err));
        const std::string before = prunelab::test::readBytes(model);
        QCOMPARE(runCli({"export", model, "--state-dict", model}, &out, &err), 1);
        QVERIFY2(err.contains("is this command's input"), qPrintable(err));
        QCOMPARE(prunelab::test::readBytes(model), before);
        const QString twice = dir.filePath("a.pt");
        QCOMPARE(runCli(QStringList{"prune", "default", "--rate", "0.3", "--out", twice, "--report",
                                    twice} +
                            data,
                        &out, &err),
                 1);
        QVERIFY2(err.contains("named for two outputs"), qPrintable(err));
        QVERIFY(!QFile::exists(twice));
        QCOMPARE(runCli({"compact", model, "--out", dir.filePath("c.pt"), "--report",
                         dir.filePath("./c.pt")},
                        &out, &err),
                 1);
        QVERIFY2(err.contains("named for two outputs"), qPrintable(err));
        QCOMPARE(
            runCli(QStringList{"train", model, "--epochs", "1", "--out", model} + data, &out, &err),
            1);
        QVERIFY2(err.contains("is this command's input"), qPrintable(err));
        QCOMPARE(prunelab::test::readBytes(model), before);
    }

    void fifosAreRefusedNotWaitedOn()
    {
        // Issue 16 item 7: a named pipe behind MODEL, an IDX or CIFAR file or a recipe hung
        // every reader (and ate the first Ctrl+C). Refused before it is opened, with the reason.
        QTemporaryDir dir;
        int notMade = 0;
        auto fifo = [&](const QString& name) {
            const QString path = dir.filePath(name);
            notMade += ::mkfifo(path.toLocal8Bit().constData(), 0600) != 0;
            return path;
        };
        const QString model = fifo("model.pt");
        QDir(dir.path()).mkpath("idx");
        for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
            fifo(QString("idx/") + name);
        QDir(dir.path()).mkpath("cifar");
        for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                 "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"})
            fifo(QString("cifar/") + name);
        const QString recipe = fifo("recipe.json");
        QCOMPARE(notMade, 0);
        const QList<QStringList> commands = {
            {"info", model},
            {"eval", "default", "--data", "mnist:" + dir.filePath("idx")},
            {"eval", "vgg-small", "--data", "cifar10:" + dir.filePath("cifar")},
            {"run", recipe}};
        for (const QStringList& args : commands) {
            QString out, err;
            const int code = runCli(args, &out, &err, 20000);
            QVERIFY2(code == 1, qPrintable(args.join(' ') + ": " + QString::number(code) + err));
            QVERIFY2(err.contains("not a regular file"), qPrintable(args.join(' ') + ": " + err));
        }
    }

    void pruneEdgeRates()
    {
        QTemporaryDir dir;
        const QStringList base = {
            "prune",         "lenet300", "--data", "synthetic",          "--test-limit", "32",
            "--train-limit", "64",       "--out",  dir.filePath("p.pt"), "--json"};
        QString out, err;
        QCOMPARE(runCli(base + QStringList{"--rate", "1", "--global"}, &out, &err), 0);
        const auto all = jsonOf(out);
        QCOMPARE(all["warnings"].toArray().size(), 3); // every layer keeps one weight
        QCOMPARE(all["nonzero"].toInteger(), 3);
        QCOMPARE(runCli(base + QStringList{"--rate", "0"}, &out, &err), 0);
        QCOMPARE(jsonOf(out)["sparsity"].toDouble(), 0.0);
        QCOMPARE(runCli(base + QStringList{"--rate", "nan"}, &out, &err), 2);
        QVERIFY(err.contains("--rate"));
        QCOMPARE(runCli(base + QStringList{"--rate", "0.5", "--exclude", "fc9"}, &out, &err), 1);
        QVERIFY(err.contains("fc9"));
        QCOMPARE(
            runCli(base + QStringList{"--rate", "0.5", "--criterion", "activation"}, &out, &err),
            1);
        QVERIFY(err.contains("not single weights"));
    }

    void sweepAndSensitivityWriteCsvAndPlots()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("m.pt");
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "256",    "--test-limit", "64"};
        QCOMPARE(runCli(QStringList{"train", "convnet", "--epochs", "1", "--out", model} + data),
                 0);
        QString out, err;
        QCOMPARE(runCli(QStringList{"sweep", model, "--criteria", "l1,random", "--sparsities",
                                    "0.5,0.9", "--csv", dir.filePath("s.csv"), "--plot",
                                    dir.filePath("s.png"), "--json"} +
                            data,
                        &out, &err),
                 0);
        QCOMPARE(jsonOf(out)["points"].toArray().size(), 4);
        const auto csv = QString::fromStdString(prunelab::test::readBytes(dir.filePath("s.csv")));
        QCOMPARE(csv.trimmed().split('\n').size(), 1 + 1 + 4); // header, dense, points
        QVERIFY(csv.startsWith("criterion,target_sparsity,sparsity,accuracy"));
        QCOMPARE(QImage(dir.filePath("s.png")).isNull(), false);

        QCOMPARE(runCli(QStringList{"sensitivity", model, "--sparsities", "0.5,0.9", "--target",
                                    "0.7", "--csv", dir.filePath("l.csv"), "--json"} +
                            data,
                        &out, &err),
                 0);
        const auto json = jsonOf(out);
        QCOMPARE(json["points"].toArray().size(), 8);
        QCOMPARE(json["allocation"].toObject().size(), 4);
        QCOMPARE(json["measured"].toObject()["split"].toString(), QString("validation"));
        // A model trained on every training sample has no unseen validation sample: measured on
        // the test split, unless a validation split is asked for.
        const QString whole = dir.filePath("whole.pt");
        QCOMPARE(runCli(QStringList{"train", "convnet", "--epochs", "1", "--val-fraction", "0",
                                    "--out", whole} +
                        data),
                 0);
        const QStringList sensitivity = {
            "sensitivity", whole, "--sparsities", "0.5", "--csv", dir.filePath("w.csv"), "--json"};
        QCOMPARE(runCli(sensitivity + data, &out, &err), 0);
        QCOMPARE(jsonOf(out)["measured"].toObject()["split"].toString(), QString("test"));
        QCOMPARE(runCli(sensitivity + data + QStringList{"--val-fraction", "0.2"}, &out, &err), 0);
        QCOMPARE(jsonOf(out)["measured"].toObject()["split"].toString(), QString("validation"));
        QCOMPARE(runCli(QStringList{"sweep", model, "--sparsities", "0.5,x", "--csv",
                                    dir.filePath("x.csv")} +
                            data,
                        &out, &err),
                 2);
        QVERIFY(err.contains("--sparsities"));
    }

    void errorsAreOneLineWithExitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing model file")
            << QStringList{"info", "/no/model.pt"} << 1 << "/no/model.pt";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << 2 << "unknown command";
        QTest::newRow("unknown option")
            << QStringList{"info", "convnet", "--bogus"} << 2 << "--bogus";
        QTest::newRow("train without out")
            << QStringList{"train", "convnet", "--data", "synthetic"} << 2 << "--out";
        QTest::newRow("bad data spec")
            << QStringList{"eval", "convnet", "--data", "imagenet"} << 1 << "imagenet";
        QTest::newRow("shape mismatch")
            << QStringList{"eval", "convnet", "--data", "synthetic:3,32,32", "--test-limit", "8"}
            << 1 << "3×32×32";
        QTest::newRow("out dir missing")
            << QStringList{"train", "convnet", "--data", "synthetic", "--out", "/no/dir/m.pt"} << 1
            << "/no/dir";
        QTest::newRow("bad epochs")
            << QStringList{"train", "convnet", "--epochs", "0", "--out", "/tmp/x.pt"} << 2
            << "--epochs";
        QTest::newRow("compact without out") << QStringList{"compact", "convnet"} << 2 << "--out";
        QTest::newRow("compact into a missing folder")
            << QStringList{"compact", "convnet", "--out", "/no/dir/small.pt"} << 1 << "/no/dir";
        QTest::newRow("bench without model") << QStringList{"bench"} << 2 << "MODEL";
        QTest::newRow("bench batch 0")
            << QStringList{"bench", "convnet", "--batch", "0"} << 2 << "--batch";
        QTest::newRow("bench different inputs")
            << QStringList{"bench", "convnet", "vgg-small", "--runs", "1"} << 1
            << "different inputs";
        // Found by bench/reliability.py: accepted, hung, or refused without naming the option.
        const QString out = "/tmp/prunelab-never-written.pt";
        const QStringList train{"train",         "lenet300", "--data",       "synthetic:1,28,28",
                                "--train-limit", "16",       "--test-limit", "8",
                                "--out",         out};
        QTest::newRow("threads 100000 (hung)")
            << (train + QStringList{"--threads", "100000"}) << 2 << "--threads 100000";
        QTest::newRow("threads -2") << (train + QStringList{"--threads", "-2"}) << 2 << "--threads";
        QTest::newRow("seed -1") << (train + QStringList{"--seed", "-1"}) << 2 << "--seed";
        QTest::newRow("batch -5") << (train + QStringList{"--batch", "-5"}) << 2 << "--batch";
        QTest::newRow("lr 0") << (train + QStringList{"--lr", "0"}) << 2 << "--lr";
        QTest::newRow("val-fraction 1")
            << (train + QStringList{"--val-fraction", "1"}) << 2 << "--val-fraction";
        QTest::newRow("steps 0") << QStringList{"prune",   "convnet", "--rate", "0.5",
                                                "--steps", "0",       "--out",  out}
                                 << 2 << "--steps";
        QTest::newRow("calibration-batches 0")
            << QStringList{"prune", "convnet", "--rate", "0.5", "--calibration-batches",
                           "0",     "--out",   out}
            << 2 << "--calibration-batches";
        QTest::newRow("bad group reduction")
            << QStringList{"prune",  "convnet",  "--data", "synthetic",         "--granularity",
                           "filter", "--rate",   "0.5",    "--group-reduction", "max",
                           "--out",  "/tmp/x.pt"}
            << 2 << "--group-reduction";
    }

    void compactThenBenchReportSpeedAndSize()
    {
        QTemporaryDir dir;
        const QString pruned = dir.filePath("half.pt"), small = dir.filePath("small.pt");
        QString out, err;
        QCOMPARE(
            runCli({"prune", "lenet5", "--data", "synthetic", "--train-limit", "32", "--test-limit",
                    "32", "--granularity", "filter", "--rate", "0.5", "--out", pruned},
                   &out, &err),
            0);
        QCOMPARE(runCli({"compact", pruned, "--out", small, "--json"}, &out, &err), 0);
        auto json = QJsonDocument::fromJson(lastLine(out).toUtf8()).object();
        QVERIFY(json["changed"].toBool());
        const auto groups = json["groups"].toArray();
        QCOMPARE(groups.size(), 2); // conv1 6 → 3, conv2 16 → 8
        QCOMPARE(groups[1].toObject()["channels_after"].toInt(), 8);
        QCOMPARE(runCli({"bench", "lenet5", pruned, small, "--batch", "8", "--runs", "5", "--json"},
                        &out, &err),
                 0);
        json = QJsonDocument::fromJson(lastLine(out).toUtf8()).object();
        const auto models = json["models"].toArray();
        QCOMPARE(models.size(), 3);
        QCOMPARE(models[0].toObject()["speedup"].toDouble(), 1.0);
        QCOMPARE(models[2].toObject()["runs"].toInt(), 5);
        QVERIFY(models[2].toObject()["median_ms"].toDouble() > 0.0);
        QVERIFY(models[2].toObject()["params"].toDouble() <
                models[1].toObject()["params"].toDouble());
        QVERIFY(models[2].toObject()["file_bytes"].toDouble() <
                models[1].toObject()["file_bytes"].toDouble());
        QVERIFY(models[0].toObject()["throughput"].toDouble() > 0.0);
        // The human-readable table names every model.
        QCOMPARE(runCli({"bench", pruned, small, "--runs", "2"}, &out, &err), 0);
        QVERIFY(out.contains("small.pt") && out.contains("speedup"));
        // info --groups lists what filter pruning removes together.
        QCOMPARE(runCli({"info", "resnet20", "--groups"}, &out, &err), 0);
        QVERIFY2(out.contains("conv1: 16 channels, 4 layers summed"), qPrintable(out));
        QVERIFY(out.contains("fc: 10 channels, fixed (model output)"));
    }

    void errorsAreOneLineWithExitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, expected);
        QString out, err;
        QCOMPARE(runCli(args, &out, &err), code);
        QVERIFY2(err.contains(expected), qPrintable(err));
        QCOMPARE(err.trimmed().count('\n'), 0);
    }

    void corruptCheckpointIsNamed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("corrupt.pt");
        prunelab::test::writeBytes(path, std::string(300, 'x'));
        QString err;
        QCOMPARE(runCli({"info", path}, nullptr, &err), 1);
        QVERIFY2(err.contains(path) && err.contains("checkpoint"), qPrintable(err));
    }

    void demoRunsEmbeddedDefault()
    {
        if (!prunelab::test::fashionMnistAvailable())
            QSKIP("dataset-fashion-mnist is not installed");
        QString out, err;
        const int code = runCli({"demo", "--json", "--test-limit", "2000"}, &out, &err);
        if (code == 1 && err.contains("no embedded default"))
            QSKIP("this build has no embedded default checkpoint");
        QCOMPARE(code, 0);
        const auto json = jsonOf(out);
        QCOMPARE(json["model"].toString(), QString("convnet"));
        QVERIFY2(json["accuracy"].toDouble() > 0.85, qPrintable(out));
        QCOMPARE(json["samples"].toInteger(), 2000);
        QCOMPARE(runCli({"demo", "--test-limit", "500"}, &out), 0);
        QVERIFY(out.contains("conv1") && out.contains("accuracy"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
