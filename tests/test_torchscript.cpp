// TorchScript interop against the real client: Python (python3-torch, python3-torchvision)
// scripts torchvision resnet18 and mobilenet_v2 and an oddly named MLP; prunelab-cli imports
// each, prunes 50% global l1 weights (and 30% l1 filters where there are convolutions), exports
// TorchScript, state_dict and masks; Python loads every export and checks sparsity, keys, shapes
// and outputs. Plus the bad inputs the issue lists, unit-level scores against the built-in
// twins, and compaction of scripted models.

#include "engine/interop/exports.h"
#include "engine/interop/script_net.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/importance.h"
#include "support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace prunelab;

class TestTorchScript : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_scripts = QString(PRUNELAB_SOURCE_DIR) + "/tests/python/";

private slots:
    void initTestCase()
    {
        int code = 0;
        const QString said =
            test::runPython({m_scripts + "make_torchscript_models.py", m_dir.path()}, &code);
        if (code != 0)
            QSKIP(
                qPrintable("cannot make TorchScript models (python3-torch/torchvision?): " + said));
    }

    void pruneExportAndLoadInPython_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("granularity");
        QTest::addColumn<QString>("rate");
        QTest::addColumn<QString>("data");
        QTest::newRow("mlp weights") << "mlp"
                                     << "weight"
                                     << "0.5"
                                     << "fashion-mnist";
        QTest::newRow("traced mlp weights") << "traced_mlp"
                                            << "weight"
                                            << "0.5"
                                            << "fashion-mnist";
        QTest::newRow("resnet18 weights") << "resnet18"
                                          << "weight"
                                          << "0.5"
                                          << "synthetic:3,32,32";
        QTest::newRow("resnet18 filters") << "resnet18"
                                          << "filter"
                                          << "0.3"
                                          << "synthetic:3,32,32";
        QTest::newRow("mobilenet_v2 weights") << "mobilenet_v2"
                                              << "weight"
                                              << "0.5"
                                              << "synthetic:3,32,32";
        QTest::newRow("mobilenet_v2 filters") << "mobilenet_v2"
                                              << "filter"
                                              << "0.3"
                                              << "synthetic:3,32,32";
    }

    void pruneExportAndLoadInPython()
    {
        QFETCH(QString, kind);
        QFETCH(QString, granularity);
        QFETCH(QString, rate);
        QFETCH(QString, data);
        const QString original = m_dir.filePath(kind + ".pt");
        const QString stem = m_dir.filePath(kind + "_" + granularity);
        const QStringList files = {stem + "_pruned.pt", stem + "_sd.pt", stem + "_masks.pt",
                                   stem + "_io.pt"};
        QString out, err;
        QStringList args = {
            "prune",        original, "--criterion", "l1",     "--granularity", granularity,
            "--rate",       rate,     "--data",      data,     "--train-limit", "128",
            "--test-limit", "64",     "--out",       files[0], "--state-dict",  files[1],
            "--masks",      files[2], "--json"};
        if (granularity == "weight")
            args << "--global";
        QVERIFY2(test::runCli(args, &out, &err) == 0, qPrintable(err));
        // PruneLab's outputs of the pruned model, for Python to compare with.
        QVERIFY2(test::runCli({"export", files[0], "--io-sample", files[3], "--data", data,
                               "--test-limit", "8"},
                              &out, &err) == 0,
                 qPrintable(err));
        const QString pythonKind = kind == "traced_mlp" ? "mlp" : kind;
        int code = 0;
        const QString said =
            test::runPython({m_scripts + "torchscript_check.py", pythonKind, original, files[0],
                             files[1], files[2], files[3], granularity, rate},
                            &code);
        QVERIFY2(code == 0, qPrintable(said));
        qInfo("%s", qPrintable(said));
    }

    void fineTunesThroughTheScriptedForward()
    {
        QString out, err;
        const QString pruned = m_dir.filePath("mlp_tuned.pt");
        QVERIFY2(test::runCli({"prune", m_dir.filePath("mlp.pt"), "--rate", "0.8", "--global",
                               "--finetune-epochs", "2", "--data", "fashion-mnist", "--train-limit",
                               "1000", "--test-limit", "300", "--out", pruned, "--json"},
                              &out, &err) == 0,
                 qPrintable(err));
        const QString json = test::lastLine(out);
        const double dense = QJsonDocument::fromJson(json.toUtf8())["dense_accuracy"].toDouble();
        const double after = QJsonDocument::fromJson(json.toUtf8())["accuracy"].toDouble();
        QVERIFY2(after > dense + 0.2, qPrintable(json)); // an untrained MLP learned, masks held
        QVERIFY(std::abs(QJsonDocument::fromJson(json.toUtf8())["sparsity"].toDouble() - 0.8) <
                0.01);
    }

    void dataDrivenCriteria()
    {
        QString out, err;
        const QStringList base = {"prune",
                                  m_dir.filePath("mlp.pt"),
                                  "--rate",
                                  "0.3",
                                  "--data",
                                  "fashion-mnist",
                                  "--train-limit",
                                  "256",
                                  "--test-limit",
                                  "64",
                                  "--calibration-batches",
                                  "2",
                                  "--out",
                                  m_dir.filePath("dd.pt")};
        // Weight-level gradient and Taylor scores come from the parameters' gradients: they work.
        QVERIFY2(test::runCli(base + QStringList{"--criterion", "taylor"}, &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(test::runCli(base + QStringList{"--criterion", "gradient"}, &out, &err) == 0,
                 qPrintable(err));
        // Unit-level activation scores come from an instrumented copy of the scripted graph that
        // also returns every layer's output.
        QVERIFY2(test::runCli(base + QStringList{"--criterion", "activation-abs", "--granularity",
                                                 "neuron", "--json"},
                              &out, &err) == 0,
                 qPrintable(err));
        const auto layers =
            QJsonDocument::fromJson(test::lastLine(out).toUtf8())["layers"].toArray();
        QCOMPARE(layers[0].toObject()["pruned_elements"].toInt(), 38); // 30% of 128 neurons
        QVERIFY(layers[0].toObject()["flops"].toInteger() ==
                100352); // shapes seen through the graph
        // Unit-level gradients: the instrumented graph runs op by op, so they reach each output.
        QVERIFY2(
            test::runCli(base + QStringList{"--criterion", "taylor", "--granularity", "neuron"},
                         &out, &err) == 0,
            qPrintable(err));
    }

    void unitScoresEqualTheBuiltInTwins_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("size");
        QTest::newRow("convnet") << "convnet" << 1 << 28;
        QTest::newRow("resnet20") << "resnet20" << 3 << 32;
    }

    void unitScoresEqualTheBuiltInTwins()
    {
        // The same network twice, as a built-in and scripted in Python from its exported
        // weights: every data-driven unit score must agree.
        QFETCH(QString, model);
        QFETCH(int, channels);
        QFETCH(int, size);
        Checkpoint builtin;
        builtin.net = create_model({model.toStdString(), {channels, size, size}, 10}, 3);
        const QString sd = m_dir.filePath(model + "_twin_sd.pt");
        const QString scripted = m_dir.filePath(model + "_twin.pt");
        export_state_dict(*builtin.net, sd.toStdString());
        int code = 0;
        const QString said = test::runPython({m_scripts + "script_builtin.py", model, sd, scripted,
                                              QString::number(channels), QString::number(size),
                                              QString::number(size)},
                                             &code);
        QVERIFY2(code == 0, qPrintable(said));
        auto twin = load_script_net(scripted.toStdString(), {{channels, size, size}});
        const auto data = test::smallSynthetic(64, 64, channels, size);
        for (const char* criterion : {"taylor", "gradient", "activation-abs"}) {
            for (auto granularity : {Granularity::Filter, Granularity::Neuron}) {
                const auto options = ImportanceOptions()
                                         .criterion(criterion)
                                         .granularity(granularity)
                                         .batch(16)
                                         .calibration_batches(4);
                const auto expected = compute_importance(*builtin.net, &data.test, options);
                const auto got = compute_importance(*twin, &data.test, options);
                for (const auto& layer : expected.layers) {
                    const auto* other = got.find(layer.layer);
                    QVERIFY2(other, layer.layer.c_str());
                    QVERIFY2(test::allClose(layer.scores, other->scores, 1e-4),
                             qPrintable(QString("%1 %2 %3")
                                            .arg(criterion,
                                                 QString::fromStdString(to_string(granularity)),
                                                 QString::fromStdString(layer.layer))));
                }
            }
        }
    }

    void compactsScriptedModels_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("widths"); // LAYER=WIDTH the compacted model must have
        QTest::addColumn<QString>("warning");    // what stderr must name ("" for none)
        QTest::newRow("resnet18") << "resnet18"
                                  << QStringList{"conv1=32", "layer1.1.conv2=32",
                                                 "layer4.1.conv1=256", "fc=10"}
                                  << "";
        // conv1's channels pass a gate PruneLab cannot follow: they stay, conv2's go.
        // x * sigmoid(x): the product keeps a pruned channel zero, so conv1's channels go too.
        QTest::newRow("gated") << "gated" << QStringList{"conv1=8", "conv2=16"} << "";
        // A split (torch.chunk) of conv1's channels: conv1 keeps them all, conv2's go.
        QTest::newRow("chunked") << "chunked" << QStringList{"conv1=16", "conv2=6", "fc=10"}
                                 << "aten::chunk";
        // Concatenated branches: mix's input columns go at each branch's offset.
        QTest::newRow("branches") << "branches"
                                  << QStringList{"left=4", "right=8", "mix=16", "fc=10"} << "";
    }

    void compactsScriptedModels()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, widths);
        QFETCH(QString, warning);
        const QString pruned = m_dir.filePath(kind + "_half.pt");
        const QString small = m_dir.filePath(kind + "_small.pt");
        QString out, err;
        QVERIFY2(test::runCli({"prune", m_dir.filePath(kind + ".pt"), "--granularity", "filter",
                               "--rate", "0.5", "--data", "synthetic:3,32,32", "--train-limit",
                               "64", "--test-limit", "32", "--out", pruned},
                              &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(test::runCli({"compact", pruned, "--out", small, "--json"}, &out, &err) == 0,
                 qPrintable(err));
        const auto json = QJsonDocument::fromJson(test::lastLine(out).toUtf8()).object();
        QVERIFY(json["changed"].toBool());
        QVERIFY(json["params_after"].toDouble() < json["params_before"].toDouble());
        QVERIFY(json["max_abs_diff"].toDouble() <= 1e-4);
        if (warning.isEmpty())
            QVERIFY2(!err.contains("warning"), qPrintable(err));
        else
            QVERIFY2(err.contains("warning") && err.contains(warning), qPrintable(err));
        int code = 0;
        const QString said = test::runPython(
            QStringList{m_scripts + "compaction_check.py", pruned, small, "3,32,32"} + widths,
            &code);
        QVERIFY2(code == 0, qPrintable(said));
        qInfo("%s", qPrintable(said));
    }

    void compactingAnUnprunedModelIsANoOp()
    {
        QString out, err;
        const QString copy = m_dir.filePath("mlp_copy.pt");
        QVERIFY2(test::runCli({"compact", m_dir.filePath("mlp.pt"), "--input-shape", "1,28,28",
                               "--out", copy},
                              &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(err.contains("nothing to remove"), qPrintable(err));
        QVERIFY(QFile::exists(copy));
    }

    void inputShapeIsGivenOrStoredNeverGuessed()
    {
        // 64 features, no image: nothing to guess from. The error says which flag to give.
        const QString features = m_dir.filePath("features64.pt");
        QString out, err;
        QCOMPARE(test::runCli({"info", features}, &out, &err), 1);
        QVERIFY2(err.contains(features) && err.contains("--input-shape") &&
                     err.contains("--example-input"),
                 qPrintable(err));
        QCOMPARE(err.trimmed().count('\n'), 0);

        auto shapeOf = [&](const QStringList& args) {
            out.clear();
            if (test::runCli(QStringList{"info"} + args + QStringList{"--json"}, &out, &err) != 0)
                return QString("exit≠0: " + err);
            const auto json = nlohmann::json::parse(test::lastLine(out).toStdString());
            return QString::fromStdString(json["input_shape"].dump());
        };
        QCOMPARE(shapeOf({features, "--input-shape", "64"}), QString("[64]"));
        QCOMPARE(shapeOf({features, "--example-input", m_dir.filePath("example64.pt")}),
                 QString("[64]"));
        // Stored by Python as PruneLab's extra file, and by PruneLab in what it writes.
        QCOMPARE(shapeOf({m_dir.filePath("features64_stored.pt")}), QString("[64]"));
        const QString pruned = m_dir.filePath("features64_pruned.pt");
        QVERIFY2(test::runCli({"prune", features, "--input-shape", "64", "--data", "synthetic",
                               "--train-limit", "64", "--test-limit", "32", "--rate", "0.5",
                               "--global", "--out", pruned},
                              &out, &err) == 0,
                 qPrintable(err));
        QCOMPARE(shapeOf({pruned}), QString("[64]"));
        int code = 0;
        const QString said = test::runPython(
            {"-c",
             "import sys, torch; files = {'prunelab/input_shape.json': ''}; "
             "m = torch.jit.load(sys.argv[1], _extra_files=files); "
             "print(files['prunelab/input_shape.json'], m(torch.randn(3, 64)).shape)",
             pruned},
            &code);
        QVERIFY2(code == 0 && said.contains("[64]") && said.contains("[3, 10]"), qPrintable(said));

        // Bad shapes are usage errors that name the flag; an example that is not a tensor names
        // the file.
        QCOMPARE(test::runCli({"info", features, "--input-shape", "64,x"}, &out, &err), 2);
        QVERIFY2(err.contains("--input-shape") && err.contains("64,x"), qPrintable(err));
        // Two shapes for a forward that takes one input.
        QCOMPARE(test::runCli({"info", features, "--input-shape", "64;32"}, &out, &err), 1);
        QVERIFY2(err.contains("takes 1 input(s), but 2 shape(s)"), qPrintable(err));
        QCOMPARE(test::runCli({"info", features, "--example-input", features}, &out, &err), 1);
        QVERIFY2(err.contains(features), qPrintable(err));
        // A forward that rejects the given shape: the interpreter's own words, no C++ frames.
        QCOMPARE(test::runCli({"info", features, "--input-shape", "3,8,8"}, &out, &err), 1);
        QVERIFY2(err.contains("forward rejects input of shape 3×8×8") && !err.contains("frame #"),
                 qPrintable(err));
        QCOMPARE(err.trimmed().count('\n'), 0);
    }

    void badInputsAreOneLineErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("torch.save pickle") << "plain_state_dict.pt"
                                           << "must be TorchScript";
        QTest::newRow("no Conv2d/Linear") << "no_layers.pt"
                                          << "no Conv2d or Linear layer";
        QTest::newRow("forward rejects the data") << "wrong_input.pt"
                                                  << "forward rejects input of shape 1×28×28";
        QTest::newRow("truncated") << "truncated.pt"
                                   << "corrupt or truncated";
        // Issue 16 item 9: 69 of 150 flipped TorchScript files loaded (no CRC was checked).
        QTest::newRow("a flipped weight byte") << "flipped.pt"
                                               << "fails its CRC-32 check";
    }

    void badInputsAreOneLineErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(file);
        if (file == "truncated.pt")
            test::writeBytes(path, test::readBytes(m_dir.filePath("mlp.pt")).substr(0, 2000));
        if (file == "flipped.pt") {
            std::string bytes = test::readBytes(m_dir.filePath("mlp.pt"));
            // The first weight tensor's record: its local header names ".../data/0".
            const size_t name = bytes.find("data/0");
            QVERIFY(name != std::string::npos);
            const size_t header = bytes.rfind("PK\x03\x04", name);
            const auto little = [&](size_t at) {
                return size_t(uint8_t(bytes[at])) | size_t(uint8_t(bytes[at + 1])) << 8;
            };
            bytes[header + 30 + little(header + 26) + little(header + 28) + 5] ^= 0x01;
            test::writeBytes(path, bytes);
        }
        const QString target = m_dir.filePath("must_not_exist.pt");
        QString out, err;
        QCOMPARE(test::runCli({"prune", path, "--rate", "0.5", "--data", "fashion-mnist",
                               "--train-limit", "64", "--test-limit", "32", "--out", target},
                              &out, &err),
                 1);
        QVERIFY2(err.contains(path) && err.contains(expected), qPrintable(err));
        QCOMPARE(err.trimmed().count('\n'), 0);
        QVERIFY(!QFile::exists(target));
    }
};

QTEST_GUILESS_MAIN(TestTorchScript)
#include "test_torchscript.moc"
