// Exports checked by the real client: every built-in model, pruned (weights, and filters where
// it has convolutions), exported by prunelab-cli, then loaded by Python's torch into the
// equivalent PyTorch class of docs/pytorch_models.py — keys, shapes, outputs, masks, report.

#include "engine/interop/checkpoint.h"
#include "engine/interop/exports.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/importance.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

namespace {

/// A pruned checkpoint of a built-in model: BatchNorm statistics moved by a training-mode pass,
/// then `rate` pruned by l1 at `granularity` (global for weights).
Checkpoint prunedModel(const std::string& name, Granularity granularity, double rate)
{
    Checkpoint checkpoint;
    checkpoint.net = create_model(default_model_spec(name), 11);
    auto& net = *checkpoint.net;
    {
        std::vector<int64_t> shape = {2};
        for (int64_t d : net.spec().input_shape)
            shape.push_back(d);
        at::NoGradGuard no_grad;
        net.train();
        net.forward(at::randn(shape) * 2.0 + 0.5); // running_mean/var no longer 0/1
    }
    Pruner pruner(net,
                  compute_importance(net, nullptr, ImportanceOptions().granularity(granularity)));
    AllocationOptions options;
    if (granularity == Granularity::Weight)
        options.global_rate(rate);
    else
        options.default_rate(rate);
    const auto allocation = pruner.allocate(options);
    allocation.masks.apply_(net);
    checkpoint.masks = allocation.masks.to_bool();
    checkpoint.metadata = {
        {"pruning",
         {{"criterion", "l1"}, {"granularity", to_string(granularity)}, {"dense_accuracy", 0.5}}}};
    return checkpoint;
}

} // namespace

class TestExports : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import torch, torchvision"});
        if (!probe.waitForFinished(120000) || probe.exitCode() != 0)
            QSKIP("python3-torch and python3-torchvision are needed");
    }

    void pythonLoadsEveryExport_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("granularity");
        QTest::addColumn<double>("rate");
        for (const char* name : {"convnet", "convnet-small", "lenet300", "lenet5", "vgg-small",
                                 "resnet20", "resnet18", "vit-tiny", "lstm", "gru"})
            QTest::newRow(qPrintable(QString("%1 weights 50%").arg(name)))
                << QString(name) << "weight" << 0.5;
        for (const char* name : {"convnet", "lenet5", "vgg-small", "resnet20"})
            QTest::newRow(qPrintable(QString("%1 filters 30%").arg(name)))
                << QString(name) << "filter" << 0.3;
        // Compacted by prunelab-cli compact: narrower layers, loaded with the state_dict's widths.
        for (const char* name : {"convnet", "lenet5", "vgg-small", "resnet20", "resnet18"})
            QTest::newRow(qPrintable(QString("%1 filters 50% compacted").arg(name)))
                << QString(name) << "compact" << 0.5;
        QTest::newRow("lenet300 neurons 50% compacted")
            << QString("lenet300") << "compact-neuron" << 0.5;
        QTest::newRow("vit-tiny heads 25%") << QString("vit-tiny") << "head" << 0.25;
        QTest::newRow("lstm units 50% compacted") << QString("lstm") << "compact-unit" << 0.5;
        QTest::newRow("gru units 50% compacted") << QString("gru") << "compact-unit" << 0.5;
        QTest::newRow("vit-tiny heads 50% compacted")
            << QString("vit-tiny") << "compact-head" << 0.5;
    }

    void pythonLoadsEveryExport()
    {
        QFETCH(QString, model);
        QFETCH(QString, granularity);
        QFETCH(double, rate);
        QTemporaryDir dir;
        const bool compacted = granularity.startsWith("compact");
        const Granularity g = granularity == "compact" ? Granularity::Filter
                              : granularity.startsWith("compact-")
                                  ? parse_granularity(granularity.mid(8).toStdString())
                                  : parse_granularity(granularity.toStdString());
        const Checkpoint checkpoint = prunedModel(model.toStdString(), g, rate);
        QString ckpt = dir.filePath("pruned.pt");
        save_checkpoint(checkpoint, ckpt.toStdString());
        if (compacted) {
            QString out, err;
            QCOMPARE(test::runCli({"compact", ckpt, "--out", dir.filePath("small.pt")}, &out, &err),
                     0);
            QVERIFY2(out.contains("params"), qPrintable(out + err));
            ckpt = dir.filePath("small.pt");
        }
        const QStringList files = {dir.filePath("sd.pt"), dir.filePath("masks.pt"),
                                   dir.filePath("io.pt"), dir.filePath("report.json")};
        QString out, err;
        QCOMPARE(test::runCli({"export", ckpt, "--state-dict", files[0], "--masks", files[1],
                               "--io-sample", files[2], "--report", files[3], "--json"},
                              &out, &err),
                 0);
        const auto& spec = checkpoint.net->spec();
        QProcess python;
        python.start(
            "/usr/bin/python3",
            QStringList{QString(PRUNELAB_SOURCE_DIR) + "/tests/python/export_check.py", model} +
                files +
                QStringList{
                    QString::number(spec.input_shape[0]), QString::number(spec.input_shape[1]),
                    QString::number(spec.input_shape[2]), QString::number(spec.num_classes)});
        QVERIFY(python.waitForFinished(240000));
        const QString said =
            QString::fromUtf8(python.readAllStandardOutput() + python.readAllStandardError());
        QVERIFY2(python.exitCode() == 0, qPrintable(said));
        QVERIFY2(said.startsWith("ok " + model), qPrintable(said));
        qInfo("%s", qPrintable(said.trimmed()));
    }

    void exportsFailCleanly()
    {
        QTemporaryDir dir;
        const Checkpoint checkpoint = prunedModel("convnet", Granularity::Weight, 0.5);
        const QString ckpt = dir.filePath("pruned.pt");
        save_checkpoint(checkpoint, ckpt.toStdString());
        const QString existing = dir.filePath("sd.pt");
        test::writeBytes(existing, "previous export");
        QString out, err;
        // A missing folder for one output: nothing is written, the earlier file stays.
        QCOMPARE(test::runCli({"export", ckpt, "--state-dict", existing, "--masks",
                               dir.filePath("missing/masks.pt")},
                              &out, &err),
                 1);
        QVERIFY2(err.contains("missing"), qPrintable(err));
        QCOMPARE(test::readBytes(existing), std::string("previous export"));
        QCOMPARE(test::runCli({"export", ckpt}, &out, &err), 2); // nothing asked for
        QVERIFY(err.contains("--state-dict"));
        // A corrupt model names the file.
        const QString broken = dir.filePath("broken.pt");
        test::writeBytes(broken, std::string(100, 'x'));
        QCOMPARE(test::runCli({"export", broken, "--state-dict", existing}, &out, &err), 1);
        QVERIFY(err.contains("broken.pt"));
    }

    void netronSidecarHasSparsityAndImportancePerTensor()
    {
        QTemporaryDir dir;
        const Checkpoint checkpoint = prunedModel("lenet5", Granularity::Weight, 0.6);
        const QString ckpt = dir.filePath("pruned.pt");
        save_checkpoint(checkpoint, ckpt.toStdString());
        const QString path = dir.filePath("lenet5.attachment.json");
        QString out, err;
        QCOMPARE(test::runCli({"export", ckpt, "--netron", path}, &out, &err), 0);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto json = nlohmann::json::parse(file.readAll().toStdString());
        QCOMPARE(json["signature"].get<std::string>(), std::string("netron:attachment"));
        std::map<std::string, double> fc1; // metrics of tensor fc1.weight by name
        bool modelSparsity = false;
        for (const auto& row : json["metrics"]) {
            QVERIFY(row.contains("kind") && row.contains("target") && row.contains("name") &&
                    row.contains("value"));
            if (row["kind"] == "tensor" && row["target"] == "fc1.weight")
                fc1[row["name"].get<std::string>()] = row["value"].get<double>();
            if (row["kind"] == "model" && row["name"] == "sparsity") {
                QCOMPARE(row["target"].get<std::string>(), std::string(""));
                QVERIFY(std::abs(row["value"].get<double>() - 0.6) < 1e-3);
                modelSparsity = true;
            }
        }
        QVERIFY(modelSparsity);
        const auto& weight = checkpoint.net->named_parameters()["fc1.weight"];
        const double sparsity = weight.eq(0).to(at::kDouble).mean().item<double>();
        QVERIFY(std::abs(fc1.at("sparsity") - sparsity) < 1e-9);
        // l1 pruning removed the smallest magnitudes: every pruned score is below every kept one.
        QVERIFY(fc1.at("importance of pruned.max") <= fc1.at("importance of kept.min"));
        QVERIFY(fc1.at("importance.min") <= fc1.at("importance.mean"));
    }

    void reportHasTheFieldsAUserReads()
    {
        const Checkpoint checkpoint = prunedModel("lenet5", Granularity::Weight, 0.7);
        ReportContext context;
        context.data = "fashion-mnist";
        context.accuracy_before = 0.9;
        context.accuracy_after = 0.85;
        const auto report = pruning_report(describe_model(*checkpoint.net), context);
        QCOMPARE(report["layers"].size(), size_t(5));
        QVERIFY(std::abs(report["sparsity"].get<double>() - 0.7) < 1e-3);
        QVERIFY(report["flops_after"].get<int64_t>() < report["flops_before"].get<int64_t>());
        const auto& fc1 = report["layers"][2];
        QCOMPARE(fc1["name"].get<std::string>(), std::string("fc1"));
        QCOMPARE(fc1["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{120, 400}));
        QCOMPARE(report["accuracy_after"].get<double>(), 0.85);
        QVERIFY(report.contains("prunelab_version"));
    }
};

QTEST_GUILESS_MAIN(TestExports)
#include "test_exports.moc"
