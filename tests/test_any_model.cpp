// Models of any contract, made in Python as researchers make them. Outputs: a
// classifier that also returns its feature map, a dict of segmentation maps, a one-channel map,
// torchvision's GoogLeNet (a named tuple with None in it). Each is pruned by filter norm,
// measured by output fidelity when it has no classes, compacted (every output compared), and
// checked from Python; output layers keep their channels. Fine-tuning without labels (output
// matching) brings a pruned model's outputs back towards the dense model's. Inputs: several
// (typed or from an example tuple), the user's tensors (tensors:FILE). The dependency stress set
// (concatenations, splits, reshapes, a gate, a U-Net decoder) compacts exactly. Structured
// pruning that reaches nothing is refused before any work.

#include "support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using prunelab::test::lastJson;

class TestAnyModel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_scripts = QString(PRUNELAB_SOURCE_DIR) + "/tests/python/";

    /// prune KIND by 50% of l1 filters on synthetic data; returns the JSON report.
    QJsonObject prune(const QString& kind, const QString& shape, const QStringList& extra = {})
    {
        QString out, err;
        QStringList args = {"prune",
                            m_dir.filePath(kind + ".pt"),
                            "--input-shape",
                            shape,
                            "--granularity",
                            "filter",
                            "--rate",
                            "0.5",
                            "--train-limit",
                            "128",
                            "--test-limit",
                            "64",
                            "--json",
                            "--out",
                            m_dir.filePath(kind + "_half.pt")};
        if (!extra.contains("--data"))
            args << "--data"
                 << "synthetic";
        args << extra;
        const int code = prunelab::test::runCli(args, &out, &err);
        if (code != 0)
            qWarning("%s", qPrintable(err));
        return code == 0 ? lastJson(out) : QJsonObject();
    }

    /// Compacts KIND_half.pt (written by prune) and checks it: the CLI reports a smaller model
    /// whose outputs equal the pruned one's, and Python agrees (every output, the LAYER=WIDTH
    /// list). Returns what went wrong, empty when nothing did.
    QString compactsExactly(const QString& kind, const QString& shape, const QStringList& widths)
    {
        const QString pruned = m_dir.filePath(kind + "_half.pt");
        const QString small = m_dir.filePath(kind + "_small.pt");
        QString out, err;
        if (prunelab::test::runCli({"compact", pruned, "--out", small, "--json"}, &out, &err))
            return "compact failed: " + err;
        const QJsonObject compacted = lastJson(out);
        if (!compacted["changed"].toBool() ||
            compacted["params_after"].toDouble() >= compacted["params_before"].toDouble() ||
            compacted["max_abs_diff"].toDouble() > 1e-4)
            return "compact reported " + out;
        int code = 0;
        const QString said = prunelab::test::runPython(
            QStringList{m_scripts + "compaction_check.py", pruned, small, shape} + widths, &code);
        if (code != 0)
            return said;
        qInfo("%s: %s", qPrintable(kind), qPrintable(said));
        return {};
    }

private slots:
    void initTestCase()
    {
        int code = 0;
        const QString said =
            prunelab::test::runPython({m_scripts + "make_any_models.py", m_dir.path()}, &code);
        if (code != 0)
            QSKIP(
                qPrintable("cannot make TorchScript models (python3-torch/torchvision?): " + said));
    }

    void prunesAndCompactsEveryOutput_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("metric");     // what the prune report measures
        QTest::addColumn<QStringList>("widths"); // LAYER=WIDTH after compaction
        // conv2's output is returned: it keeps its 32 channels; conv1 halves.
        QTest::newRow("tuple (logits, features)")
            << "two_outputs"
            << "3,32,32"
            << "accuracy" << QStringList{"conv1=8", "conv2=32"};
        // Both maps of the dict keep their 3 channels; the encoders halve.
        QTest::newRow("dict of maps")
            << "segmenter"
            << "3,32,32"
            << "fidelity" << QStringList{"enc1=8", "enc2=16", "head=3", "aux=3"};
        QTest::newRow("one-channel map")
            << "depth"
            << "1,32,32"
            << "fidelity" << QStringList{"conv1=4", "conv2=4", "out=1"};
        QTest::newRow("named tuple with None (GoogLeNet)")
            << "googlenet"
            << "3,64,64"
            << "accuracy" << QStringList{"conv1.conv=32", "fc=10"};
    }

    void prunesAndCompactsEveryOutput()
    {
        QFETCH(QString, kind);
        QFETCH(QString, shape);
        QFETCH(QString, metric);
        QFETCH(QStringList, widths);
        const QJsonObject report = prune(kind, shape);
        QVERIFY(!report.isEmpty());
        QCOMPARE(report["metric"].toString(), metric);
        if (metric == "fidelity") {
            // Against the model before pruning: perfect before, worse (not perfect) after.
            QCOMPARE(report["dense_accuracy"].toDouble(), 1.0);
            QVERIFY(report["accuracy"].toDouble() < 1.0);
            QVERIFY(report["loss"].toDouble() > 0.0);
        }
        const QString failed = compactsExactly(kind, shape, widths);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void stressSetStaysExact_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QStringList>("widths"); // LAYER=WIDTH after compaction
        // Every model compacts to exactly what the pruned model computes. The widths record
        // what the channel analysis follows today: groups it cannot follow yet (a cat along
        // height, a split, a ConvTranspose2d, a layer scale, a grouped convolution) stay whole,
        // and say so.
        QTest::newRow("cascaded cat")
            << "cascaded_cat"
            << "accuracy" << QStringList{"a=4", "b=4", "c=4", "d=8", "fc=10"};
        QTest::newRow("cat along height") << "spatial_cat"
                                          << "accuracy" << QStringList{"a=16", "b=16", "c=8"};
        QTest::newRow("channel split") << "split"
                                       << "accuracy" << QStringList{"a=16", "l=4", "r=4", "fc=10"};
        QTest::newRow("reshape into Linear")
            << "reshape"
            << "accuracy" << QStringList{"a=8", "fc1=32", "fc2=10"};
        QTest::newRow("squeeze-excitation")
            << "se"
            << "accuracy" << QStringList{"a=8", "squeeze=2", "b=8"}; // the gate's product joins a
        QTest::newRow("U-Net decoder")
            << "unet"
            << "fidelity" << QStringList{"e1=16", "e2=32", "d1=8", "out=2"};
        // The depthwise convolutions shrink with their channels, group count included.
        QTest::newRow("inverted residual")
            << "inverted_residual"
            << "accuracy"
            << QStringList{"stem=4", "expand=16", "dw=16", "project=4", "expand2=16", "dw2=16"};
        QTest::newRow("stochastic depth") << "stochastic_depth"
                                          << "accuracy" << QStringList{"a=8", "b=8", "fc=10"};
        QTest::newRow("layer scale") << "layer_scale"
                                     << "accuracy" << QStringList{"a=16", "b=16", "c=8"};
        QTest::newRow("grouped convolution") << "grouped"
                                             << "accuracy" << QStringList{"a=16", "g=16", "b=8"};
        // A list grown by append: the concatenation and the BatchNorm over it take each part's
        // channels at its offset.
        QTest::newRow("dense block")
            << "dense_block"
            << "accuracy" << QStringList{"stem=4", "layers.0=2", "layers.1=2", "fc=10"};
        // A dict filled under `if name in self.return_layers`: the lookup on the module's dict
        // is folded, so each stored map is followed to the head that reads it by key.
        QTest::newRow("layer getter")
            << "layer_getter"
            << "fidelity" << QStringList{"body.0=4", "body.2=8", "body.4=8", "head=4"};
    }

    void stressSetStaysExact()
    {
        QFETCH(QString, kind);
        QFETCH(QString, metric);
        QFETCH(QStringList, widths);
        const QJsonObject report = prune(kind, "3,32,32");
        QVERIFY(!report.isEmpty());
        QCOMPARE(report["metric"].toString(), metric);
        const QString failed = compactsExactly(kind, "3,32,32", widths);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void scriptedTransformerLosesHeadsAndNeurons()
    {
        // docs/pytorch_models.py's ViT scripted: its attention is found in the graph (q, k, v
        // split into 16-wide heads, softmax(q·kᵀ)·v, heads joined), so half its heads and
        // half its MLP neurons go, and Python's torch.jit.load runs the result.
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "64",     "--test-limit", "32"};
        QString out, err;
        QCOMPARE(prunelab::test::runCli(QStringList{"prune", m_dir.filePath("vit.pt"),
                                                    "--granularity", "head", "--rate", "0.5",
                                                    "--out", m_dir.filePath("vit_heads.pt")} +
                                            data,
                                        &out, &err),
                 0);
        QCOMPARE(prunelab::test::runCli(QStringList{"prune", m_dir.filePath("vit_heads.pt"),
                                                    "--granularity", "neuron", "--rate", "0.5",
                                                    "--out", m_dir.filePath("vit_half.pt")} +
                                            data,
                                        &out, &err),
                 0);
        const QString failed =
            compactsExactly("vit", "3,32,32",
                            {"blocks.0.attn.q=32", "blocks.0.attn.v=32", "blocks.3.attn.k=32",
                             "blocks.0.attn.proj=64", "blocks.2.mlp.fc1=64", "head=10"});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void depthwiseConvolutionsOfOneTypeNarrowToTheirOwnWidths()
    {
        // dw and dw2 have the same settings, so TorchScript compiles them to one type whose
        // group count is a constant; pruned at different rates they need two group counts.
        const QJsonObject report =
            prune("inverted_residual", "3,32,32", {"--layer-rate", "expand2=0.75"});
        QVERIFY(!report.isEmpty());
        const QString failed = compactsExactly("inverted_residual", "3,32,32",
                                               {"expand=16", "dw=16", "expand2=8", "dw2=8"});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void evalMeasuresFidelityAgainstAReference()
    {
        const QString dense = m_dir.filePath("segmenter.pt");
        QString out, err;
        // Without a reference there is nothing to measure a model without classes by.
        QCOMPARE(prunelab::test::runCli({"eval", dense, "--input-shape", "3,32,32", "--data",
                                         "synthetic", "--test-limit", "32"},
                                        &out, &err),
                 1);
        QVERIFY2(err.contains("--reference") && err.contains("fidelity"), qPrintable(err));
        QVERIFY(!prunelab::test::runCli({"eval", dense, "--input-shape", "3,32,32", "--data",
                                         "synthetic", "--test-limit", "32", "--reference", dense,
                                         "--json"},
                                        &out, &err));
        QJsonObject same = lastJson(out)["fidelity"].toObject();
        QCOMPARE(same["relative_l2"].toDouble(), 0.0);
        QCOMPARE(same["cosine"].toDouble(), 1.0);
        const QString pruned = m_dir.filePath("segmenter_half.pt");
        if (!QFile::exists(pruned))
            QVERIFY(!prune("segmenter", "3,32,32").isEmpty());
        QVERIFY2(!prunelab::test::runCli({"eval", pruned, "--data", "synthetic", "--test-limit",
                                          "32", "--reference", dense, "--json"},
                                         &out, &err),
                 qPrintable(err));
        const QJsonObject differs = lastJson(out)["fidelity"].toObject();
        QVERIFY(differs["relative_l2"].toDouble() > 0.0);
        QVERIFY(differs["cosine"].toDouble() < 1.0);
        // A classifier with a reference: accuracy, and how often it agrees with the reference.
        QVERIFY2(
            !prunelab::test::runCli({"eval", m_dir.filePath("two_outputs.pt"), "--input-shape",
                                     "3,32,32", "--data", "synthetic", "--test-limit", "32",
                                     "--reference", m_dir.filePath("two_outputs.pt"), "--json"},
                                    &out, &err),
            qPrintable(err));
        QCOMPARE(lastJson(out)["fidelity"].toObject()["top1_agreement"].toDouble(), 1.0);
    }

    void fineTuningWithoutLabelsRecoversFidelity()
    {
        // The same cut with and without three epochs of output matching against the dense model.
        const QJsonObject cut = prune("depth", "1,32,32");
        const QJsonObject tuned =
            prune("depth", "1,32,32", {"--finetune-epochs", "3", "--lr", "0.005"});
        QVERIFY(!cut.isEmpty() && !tuned.isEmpty());
        const double before = cut["loss"].toDouble(), after = tuned["loss"].toDouble();
        qInfo("depth map, 50%% of filters: relative L2 error %.4f without fine-tuning, %.4f after",
              before, after);
        QVERIFY2(after < 0.8 * before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    }

    void takesSeveralInputs()
    {
        // forward(image [3,16,16], extra [8]): shapes typed with ';' or read from a tuple saved
        // with torch.save; stored in what PruneLab writes, so the pruned file needs no flag.
        const QString model = m_dir.filePath("two_inputs.pt");
        QString out, err;
        QVERIFY2(!prunelab::test::runCli({"info", model, "--example-input",
                                          m_dir.filePath("two_inputs_example.pt"), "--json"},
                                         &out, &err),
                 qPrintable(err));
        QCOMPARE(
            QJsonDocument(lastJson(out)["input_shapes"].toArray()).toJson(QJsonDocument::Compact),
            QByteArray("[[3,16,16],[8]]"));
        // One shape too few: the forward's own count is named, before any tensor goes in.
        QCOMPARE(prunelab::test::runCli({"info", model, "--input-shape", "3,16,16"}, &out, &err),
                 1);
        QVERIFY2(err.contains("takes 2 input(s), but 1 shape(s)"), qPrintable(err));

        // Pruned by filter norm and fine-tuned on synthetic samples (both inputs drawn, packed
        // side by side), compacted; Python checks the compacted model against the pruned one.
        const QJsonObject report = prune("two_inputs", "3,16,16;8", {"--finetune-epochs", "1"});
        QVERIFY(!report.isEmpty());
        QCOMPARE(report["metric"].toString(), QString("accuracy"));
        const QString pruned = m_dir.filePath("two_inputs_half.pt");
        QVERIFY2(!prunelab::test::runCli({"info", pruned, "--json"}, &out, &err), qPrintable(err));
        QCOMPARE(
            QJsonDocument(lastJson(out)["input_shapes"].toArray()).toJson(QJsonDocument::Compact),
            QByteArray("[[3,16,16],[8]]"));
        // Filter granularity prunes Conv2d filters only: meta (a Linear) keeps its 16.
        const QString failed =
            compactsExactly("two_inputs", "3,16,16;8", {"conv=8", "meta=16", "fc=10"});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void readsTheUsersTensors()
    {
        // {"x": ...} alone (a dict of one entry, which LibTorch's own reader refuses): a model
        // without classes is pruned and fine-tuned by output matching on it.
        const QString inputs = "tensors:" + m_dir.filePath("inputs.pt");
        const QJsonObject segmenter =
            prune("segmenter", "3,32,32", {"--data", inputs, "--finetune-epochs", "1"});
        QCOMPARE(segmenter["metric"].toString(), QString("fidelity"));
        QVERIFY(segmenter["loss"].toDouble() > 0.0);
        // A classifier on data without labels: fidelity too, never accuracy against zeros.
        QCOMPARE(prune("two_outputs", "3,32,32", {"--data", inputs})["metric"].toString(),
                 QString("fidelity"));
        QString out, err;
        QCOMPARE(prunelab::test::runCli({"eval", m_dir.filePath("two_outputs.pt"), "--input-shape",
                                         "3,32,32", "--data", inputs},
                                        &out, &err),
                 1);
        QVERIFY2(err.contains("needs labels") && err.contains("--reference"), qPrintable(err));
        // Labelled, with a test split of its own.
        QVERIFY2(!prunelab::test::runCli({"eval", m_dir.filePath("two_outputs.pt"), "--input-shape",
                                          "3,32,32", "--data",
                                          "tensors:" + m_dir.filePath("labelled.pt"), "--json"},
                                         &out, &err),
                 qPrintable(err));
        QCOMPARE(lastJson(out)["metric"].toString(), QString("accuracy"));
        QCOMPARE(lastJson(out)["samples"].toInt(), 32);
        // Bad files: one line naming the file and the key.
        const QList<QPair<QString, QString>> bad = {
            {"float_labels.pt", "'y' must be N integer labels"},
            {"extra_key.pt", "unknown key 'z'"},
            {"two_inputs_example.pt", "not a dict of tensors"},
            {"missing.pt", "file not found"}};
        for (const auto& [file, expected] : bad) {
            QCOMPARE(
                prunelab::test::runCli({"eval", m_dir.filePath("two_outputs.pt"), "--input-shape",
                                        "3,32,32", "--data", "tensors:" + m_dir.filePath(file)},
                                       &out, &err),
                1);
            QVERIFY2(err.contains(m_dir.filePath(file)) && err.contains(expected), qPrintable(err));
            QCOMPARE(err.trimmed().count('\n'), 0);
        }
    }

    void nothingToPruneIsSaidBeforeAnyWork()
    {
        // GoogLeNet's only Linear layer makes its output: nothing at neuron granularity. Said
        // before the dense evaluation and the scoring (minutes on a transformer-sized model).
        QString out, err;
        QCOMPARE(
            prunelab::test::runCli({"prune", m_dir.filePath("googlenet.pt"), "--input-shape",
                                    "3,64,64", "--granularity", "neuron", "--rate", "0.3", "--data",
                                    "synthetic", "--out", m_dir.filePath("never.pt")},
                                   &out, &err),
            1);
        QVERIFY2(err.contains("nothing to prune") && err.contains("neuron"), qPrintable(err));
        QVERIFY2(!err.contains("score") && !err.contains("evaluate"), qPrintable(err));
        QVERIFY(!QFile::exists(m_dir.filePath("never.pt")));
    }

    void labelOnlyCriteriaSayWhy()
    {
        QString out, err;
        QCOMPARE(prunelab::test::runCli({"prune", m_dir.filePath("depth.pt"), "--input-shape",
                                         "1,32,32", "--criterion", "taylor", "--rate", "0.5",
                                         "--data", "synthetic", "--train-limit", "64",
                                         "--test-limit", "32", "--out", m_dir.filePath("never.pt")},
                                        &out, &err),
                 1);
        QVERIFY2(err.contains("taylor") && err.contains("no [batch, classes]"), qPrintable(err));
        QVERIFY(!QFile::exists(m_dir.filePath("never.pt")));
    }
};

QTEST_GUILESS_MAIN(TestAnyModel)
#include "test_any_model.moc"
