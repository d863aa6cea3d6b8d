// ONNX export checked by the real clients: every built-in model, dense and with half its filters
// (or heads, neurons, units) pruned and compacted, exported and run in ONNX Runtime
// (onnxruntime-node) on a batch size the trace never saw; Debian's python3-onnx checker; models
// made in Python (torchvision's ResNet-18 and MobileNetV2, several inputs, dict and named-tuple
// outputs, upsampling, transposed convolutions); and the errors a user meets.

#include "engine/compaction/compaction.h"
#include "engine/export/onnx_export.h"
#include "engine/export/onnx_runtime.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/exports.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/importance.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;
using prunelab::test::lastJson;

namespace {

/// A built-in model with BatchNorm statistics moved off 0/1 and `rate` of its units (filters,
/// neurons, heads) pruned by l1 (masks applied).
std::shared_ptr<PrunableNet> unitPruned(const std::string& name, double rate, MaskSet* masks,
                                        Granularity granularity = Granularity::Filter)
{
    auto net = create_model(default_model_spec(name), 5);
    {
        std::vector<int64_t> shape = {4};
        for (int64_t d : net->spec().input_shape)
            shape.push_back(d);
        at::NoGradGuard no_grad;
        net->train();
        net->forward(at::randn(shape) * 2.0 + 0.5);
        net->eval();
    }
    Pruner pruner(*net,
                  compute_importance(*net, nullptr, ImportanceOptions().granularity(granularity)));
    const auto allocation = pruner.allocate(AllocationOptions().default_rate(rate));
    allocation.masks.apply_(*net);
    *masks = allocation.masks;
    return net;
}

double runtimeError(const PrunableNet& net, OnnxExportSummary* summary = nullptr,
                    int opset = kMaxOnnxOpset)
{
    OnnxExportOptions options;
    options.opset = opset;
    const std::string bytes = onnx_model_bytes(net, options, summary);
    return check_onnx_runtime(net, bytes).max_relative_error;
}

} // namespace

class TestOnnxExport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QJsonObject pythonCheck(const QString& onnx, const QString& masks = {})
    {
        int code = 0;
        QStringList args = {QString(PRUNELAB_SOURCE_DIR) + "/tests/python/onnx_check.py", "check",
                            onnx};
        if (!masks.isEmpty())
            args << masks;
        const QString out = test::runPython(args, &code);
        if (code != 0)
            qWarning("%s", qPrintable(out));
        return code == 0 ? lastJson(out) : QJsonObject();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(onnx_runtime_modules().has_value(),
                 "onnxruntime-node is not installed: scripts/setup.sh installs it into "
                 "build/onnxruntime");
    }

    void builtInsDenseAndCompactedRunInOnnxRuntime_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("granularity");
        for (const char* name : {"convnet", "lenet5", "vgg-small", "resnet20", "resnet18"})
            QTest::newRow(name) << name << "filter";
        for (const char* name : {"lenet300", "lstm", "gru"})
            QTest::newRow(name) << name << "neuron";
        QTest::newRow("vit-tiny") << "vit-tiny"
                                  << "head";
    }

    void builtInsDenseAndCompactedRunInOnnxRuntime()
    {
        QFETCH(QString, name);
        QFETCH(QString, granularity);
        MaskSet masks;
        auto net = unitPruned(name.toStdString(), 0.5, &masks,
                              parse_granularity(granularity.toStdString()));
        OnnxExportSummary dense;
        const double masked_error = runtimeError(*net, &dense);
        QVERIFY2(masked_error <= 1e-4, qPrintable(QString::number(masked_error)));
        QCOMPARE(dense.inputs, std::vector<std::string>{"input"});
        QCOMPARE(dense.outputs, std::vector<std::string>{"output"});

        const CompactionResult compacted = compact(*net, masks);
        QVERIFY(compacted.changed());
        OnnxExportSummary small;
        const double compacted_error = runtimeError(*compacted.net, &small);
        QVERIFY2(compacted_error <= 1e-4, qPrintable(QString::number(compacted_error)));
        // Fewer parameters on disk: the channels are gone from the ONNX file too.
        QVERIFY2(small.bytes < dense.bytes * 0.9,
                 qPrintable(QString("%1 vs %2 bytes").arg(small.bytes).arg(dense.bytes)));
    }

    void pythonCheckerAcceptsItWithPyTorchNamesAndDynamicBatch()
    {
        MaskSet masks;
        auto net = unitPruned("convnet", 0.0, &masks);
        Pruner pruner(*net, compute_importance(*net, nullptr, ImportanceOptions()));
        const auto allocation = pruner.allocate(AllocationOptions().global_rate(0.6));
        allocation.masks.apply_(*net);
        const QString onnx = m_dir.filePath("convnet.onnx");
        const QString masks_path = m_dir.filePath("convnet_masks.pt");
        export_onnx(*net, onnx.toStdString());
        export_masks(allocation.masks.to_bool(), masks_path.toStdString());

        const QJsonObject checked = pythonCheck(onnx, masks_path);
        QVERIFY(!checked.isEmpty());
        QCOMPARE(checked["inputs"].toObject()["input"].toArray(), QJsonArray({"batch", 1, 28, 28}));
        QCOMPARE(checked["outputs"].toObject()["output"].toArray(), QJsonArray({"batch", 10}));
        const QJsonArray names = checked["initializers"].toArray();
        for (const char* name :
             {"conv1.weight", "conv1.bias", "conv2.weight", "fc1.weight", "fc2.weight", "fc2.bias"})
            QVERIFY2(names.contains(QString(name)), name);
        // The pruned weights are zero in the file exactly where the masks say.
        const QJsonObject match = checked["masks_match"].toObject();
        QCOMPARE(match.size(), 4);
        for (const auto& layer : match.keys())
            QVERIFY2(match[layer].toBool(), qPrintable(layer));
    }

    void olderOpsetDecomposesLayerNorm()
    {
        auto net = create_model(default_model_spec("vit-tiny"), 2);
        OnnxExportSummary summary;
        const double error = runtimeError(*net, &summary, kMinOnnxOpset);
        QVERIFY2(error <= 1e-4, qPrintable(QString::number(error)));
        QCOMPARE(summary.opset, 13);
        QVERIFY(std::find(summary.op_types.begin(), summary.op_types.end(), "LayerNormalization") ==
                summary.op_types.end());
        const QString onnx = m_dir.filePath("vit13.onnx");
        export_onnx(*net, onnx.toStdString(), OnnxExportOptions{13});
        QCOMPARE(pythonCheck(onnx)["opset"].toInt(), 13);
    }

    void torchvisionModelsFromPython_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("mobilenet_v2") << "mobilenet_v2";
    }

    void torchvisionModelsFromPython()
    {
        QFETCH(QString, name);
        const QString model = m_dir.filePath(name + ".pt");
        int code = 0;
        const QString made = test::runPython(
            {QString(PRUNELAB_SOURCE_DIR) + "/bench/torchvision_zoo.py", "make", name, model},
            &code);
        QVERIFY2(code == 0, qPrintable(made));
        const QString masked = m_dir.filePath(name + "_masked.pt");
        const QString small = m_dir.filePath(name + "_small.pt");
        QString out, err;
        QVERIFY2(test::runCli({"prune", model, "--data", "synthetic", "--train-limit", "8",
                               "--test-limit", "8", "--val-fraction", "0", "--granularity",
                               "filter", "--rate", "0.3", "--out", masked},
                              &out, &err) == 0,
                 qPrintable(err));
        QVERIFY2(test::runCli({"compact", masked, "--out", small}, &out, &err) == 0,
                 qPrintable(err));
        qint64 bytes[2] = {0, 0};
        int i = 0;
        for (const QString& source : {model, small}) {
            const QString onnx = m_dir.filePath(QFileInfo(source).baseName() + ".onnx");
            QVERIFY2(test::runCli({"export", source, "--onnx", onnx, "--onnx-check", "--json"},
                                  &out, &err) == 0,
                     qPrintable(err));
            const QJsonObject check = lastJson(out)["onnx"].toObject()["runtime_check"].toObject();
            QVERIFY2(check["max_relative_error"].toDouble() <= 1e-4, qPrintable(out));
            QVERIFY(!pythonCheck(onnx).isEmpty());
            bytes[i++] = QFileInfo(onnx).size();
        }
        QVERIFY2(bytes[1] < bytes[0], qPrintable(QString("%1 vs %2").arg(bytes[1]).arg(bytes[0])));
    }

    void modelsOfAnyShapeFromPython_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QStringList>("outputs");
        QTest::newRow("two inputs") << "two_inputs.pt"
                                    << "3,16,16;8" << QStringList{"output"};
        QTest::newRow("dict output, upsampling") << "segmenter.pt"
                                                 << "3,32,32" << QStringList{"out", "aux"};
        QTest::newRow("named tuple with None") << "googlenet.pt"
                                               << "3,32,32" << QStringList{"output"};
        QTest::newRow("transposed convolution") << "unet.pt"
                                                << "" << QStringList{"output"};
        QTest::newRow("tuple output") << "two_outputs.pt"
                                      << "3,32,32" << QStringList{"output0", "output1"};
    }

    void modelsOfAnyShapeFromPython()
    {
        QFETCH(QString, file);
        QFETCH(QString, shape);
        QFETCH(QStringList, outputs);
        static bool made = false;
        if (!made) {
            int code = 0;
            const QString log = test::runPython(
                {QString(PRUNELAB_SOURCE_DIR) + "/tests/python/make_any_models.py", m_dir.path()},
                &code);
            QVERIFY2(code == 0, qPrintable(log));
            made = true;
        }
        QStringList args = {"export",       m_dir.filePath(file),
                            "--onnx",       m_dir.filePath(file + ".onnx"),
                            "--onnx-check", "--json"};
        if (!shape.isEmpty())
            args << "--input-shape" << shape;
        QString out, err;
        QVERIFY2(test::runCli(args, &out, &err) == 0, qPrintable(err));
        const QJsonObject onnx = lastJson(out)["onnx"].toObject();
        QVERIFY2(onnx["runtime_check"].toObject()["max_relative_error"].toDouble() <= 1e-4,
                 qPrintable(out));
        QStringList names;
        for (const auto name : onnx["outputs"].toArray())
            names << name.toString();
        QCOMPARE(names, outputs);
    }

    void unsupportedOperationIsNamed()
    {
        const QString model = m_dir.filePath("cumsum.pt");
        int code = 0;
        const QString made =
            test::runPython({QString(PRUNELAB_SOURCE_DIR) + "/tests/python/onnx_check.py",
                             "make-unsupported", model},
                            &code);
        QVERIFY2(code == 0, qPrintable(made));
        const QString onnx = m_dir.filePath("cumsum.onnx");
        QString out, err;
        QCOMPARE(test::runCli({"export", model, "--input-shape", "8", "--onnx", onnx}, &out, &err),
                 1);
        QVERIFY2(err.contains("aten::cumsum") && err.contains("no translation"), qPrintable(err));
        QVERIFY(!QFile::exists(onnx));
    }

    void optionsAreChecked()
    {
        QString out, err;
        const QString onnx = m_dir.filePath("x.onnx");
        QVERIFY(test::runCli({"export", "convnet", "--onnx", onnx, "--opset", "12"}, &out, &err) !=
                0);
        QVERIFY2(err.contains("--opset") && err.contains("13"), qPrintable(err));
        QVERIFY(test::runCli(
                    {"export", "convnet", "--opset", "13", "--state-dict", m_dir.filePath("s.pt")},
                    &out, &err) != 0);
        QVERIFY2(err.contains("--opset applies to --onnx"), qPrintable(err));
        QVERIFY(!QFile::exists(onnx));
        QVERIFY(!QFile::exists(m_dir.filePath("s.pt")));
    }
};

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "test_onnx_export.moc"
