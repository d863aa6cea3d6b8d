#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/model_loader.h"
#include "engine/interop/script_net.h"
#include "engine/interop/tensor_archive.h"
#include "engine/models/model_factory.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

using namespace prunelab;
using prunelab::test::errorOf;

namespace {

Checkpoint sampleCheckpoint()
{
    Checkpoint checkpoint;
    checkpoint.net = create_model(default_model_spec("resnet20"), 6);
    {
        at::NoGradGuard no_grad;
        // Non-default BatchNorm buffers prove buffers travel too.
        checkpoint.net->named_buffers()["bn1.running_mean"].fill_(0.25);
    }
    checkpoint.masks["conv1.weight"] = at::rand({16, 3, 3, 3}) > 0.5;
    checkpoint.metadata["data"] = "synthetic";
    checkpoint.metadata["test_accuracy"] = 0.5;
    return checkpoint;
}

} // namespace

class TestCheckpoint : public QObject
{
    Q_OBJECT
private slots:
    void roundTripKeepsWeightsBuffersMasksMetadata()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("model.pt").toStdString();
        const auto original = sampleCheckpoint();
        save_checkpoint(original, path);
        const auto loaded = load_checkpoint(path);
        QCOMPARE(loaded.net->spec().name, std::string("resnet20"));
        const auto a = state_dict(*original.net);
        const auto b = state_dict(*loaded.net);
        QCOMPARE(a.size(), b.size());
        for (const auto& [name, tensor] : a)
            QVERIFY2(tensor.equal(b.at(name)), name.c_str());
        QVERIFY(loaded.masks.at("conv1.weight").equal(original.masks.at("conv1.weight")));
        QCOMPARE(loaded.metadata["test_accuracy"].get<double>(), 0.5);
        // No temporary file is left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void failedSaveLeavesExistingFileIntact()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("keep.pt");
        test::writeBytes(path, "previous contents");
        const QString missing =
            errorOf([&] { save_checkpoint(sampleCheckpoint(), "/no/such/dir/model.pt"); });
        QVERIFY2(missing.contains("/no/such/dir"), qPrintable(missing));

        // A save that fails part-way (here: nothing to serialize) must not touch the file.
        const QString failed = errorOf([&] { save_checkpoint(Checkpoint{}, path.toStdString()); });
        QVERIFY(!failed.isEmpty());
        QCOMPARE(test::readBytes(path), std::string("previous contents"));
        // A successful save replaces it whole.
        save_checkpoint(sampleCheckpoint(), path.toStdString());
        QVERIFY(load_checkpoint(path.toStdString()).net != nullptr);
    }

    void outputsOfOneCommandLandTogetherOrNotAtAll()
    {
        // Issue 16 item 6: an output failing after others were written left those on disk.
        QTemporaryDir dir;
        const QString first = dir.filePath("first.pt");
        const QString second = dir.filePath("second.json");
        test::writeBytes(second, "old report");
        {
            OutputBatch outputs;
            save_checkpoint(sampleCheckpoint(), first.toStdString());
            QVERIFY(!QFile::exists(first)); // staged, not yet visible
            QVERIFY(!errorOf([&] {
                         write_file_atomically(second.toStdString(), [](const std::string&) {
                             throw Error("the disk is full");
                         });
                     }).isEmpty());
            // The command fails here: the batch is dropped uncommitted.
        }
        QVERIFY(!QFile::exists(first));
        QCOMPARE(test::readBytes(second), std::string("old report"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1); // no temps
        {
            OutputBatch outputs;
            save_checkpoint(sampleCheckpoint(), first.toStdString());
            write_file_atomically(second.toStdString(), std::vector<char>{'{', '}'});
            QCOMPARE(outputs.staged().size(), size_t(2));
            outputs.commit();
        }
        QVERIFY(load_checkpoint(first.toStdString()).net != nullptr);
        QCOMPARE(test::readBytes(second), std::string("{}"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void neverReplacesADeviceOrFifo()
    {
        // A scratch folder, never the real /dev: a FIFO, and (as root) a character device like
        // /dev/null. `--out /dev/null` used to replace the node with the checkpoint.
        QTemporaryDir dir;
        const std::string fifo = dir.filePath("pipe").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        std::vector<std::string> nodes = {fifo};
        const std::string device = dir.filePath("null").toStdString();
        if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0)
            nodes.push_back(device);
        for (const auto& node : nodes) {
            const QString error = errorOf([&] { save_checkpoint(sampleCheckpoint(), node); });
            QVERIFY2(error.contains(QString::fromStdString(node)) &&
                         error.contains("not a regular file"),
                     qPrintable(error));
            struct stat info;
            QCOMPARE(::lstat(node.c_str(), &info), 0);
            QVERIFY(!S_ISREG(info.st_mode)); // still the node it was
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(),
                 int(nodes.size())); // and no temporary left behind
    }

    void staleTemporariesOfAKilledSaveAreCleanedUp()
    {
        // Issue 16 item 11: a save killed part-way left its `.NAME.tmp*` file behind for good.
        // The next write of that file removes temporaries whose writer is gone, and only those.
        QTemporaryDir dir;
        QProcess finished;
        finished.start("/bin/true");
        QVERIFY(finished.waitForStarted());
        const qint64 gone = finished.processId(); // a writer that has exited
        QVERIFY(finished.waitForFinished());
        const QString stale = dir.filePath(QString(".model.tmp%1-42.pt").arg(gone));
        const QString live =
            dir.filePath(QString(".model.tmp%1-43.pt").arg(QCoreApplication::applicationPid()));
        const QString other = dir.filePath(".other.tmp1-1.pt"); // another file's: not ours
        for (const QString& path : {stale, live, other})
            test::writeBytes(path, "partial");
        save_checkpoint(sampleCheckpoint(), dir.filePath("model.pt").toStdString());
        QVERIFY(!QFile::exists(stale));
        QVERIFY(QFile::exists(live)); // a save still running in this process
        QVERIFY(QFile::exists(other));
    }

    void rejectsCorruptFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("garbage") << "garbage";
        QTest::newRow("truncated") << "truncated";
        QTest::newRow("empty") << "empty";
        QTest::newRow("not prunelab") << "foreign";
    }

    void rejectsCorruptFiles()
    {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.pt");
        const auto good = checkpoint_bytes(sampleCheckpoint());
        if (kind == "garbage")
            test::writeBytes(path, "this is not a checkpoint at all");
        else if (kind == "truncated")
            test::writeBytes(path, std::string(good.begin(), good.begin() + long(good.size() / 2)));
        else if (kind == "empty")
            test::writeBytes(path, "");
        else {
            c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
            dict.insert(std::string("weights"), at::ones({2}));
            const auto bytes = torch::pickle_save(dict);
            test::writeBytes(path, std::string(bytes.begin(), bytes.end()));
        }
        const QString message = errorOf([&] { load_checkpoint(path.toStdString()); });
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains("checkpoint"), qPrintable(message));
    }

    void aFlippedByteNeverLoadsAsAnotherModel()
    {
        // Issue 16 item 9: half of 200 byte-flipped checkpoints loaded (zip CRCs were never
        // checked). Now every flip either fails naming the file or leaves what loads identical
        // (a flip in a timestamp or the alignment padding changes nothing that is read).
        QTemporaryDir dir;
        const QString path = dir.filePath("flipped.pt");
        const auto original = sampleCheckpoint();
        const auto good = checkpoint_bytes(original);
        const auto expected = state_dict(*original.net);
        int refused = 0;
        for (int i = 0; i < 200; ++i) {
            auto bytes = good;
            bytes[size_t(i) * (bytes.size() - 1) / 199] ^= 0x10;
            test::writeBytes(path, std::string(bytes.begin(), bytes.end()));
            Checkpoint loaded;
            const QString message = errorOf([&] { loaded = load_checkpoint(path.toStdString()); });
            if (!message.isEmpty()) {
                QVERIFY2(message.contains(path), qPrintable(message));
                ++refused;
                continue;
            }
            for (const auto& [name, tensor] : state_dict(*loaded.net))
                QVERIFY2(tensor.equal(expected.at(name)), qPrintable(QString::number(i)));
            QVERIFY(loaded.masks.at("conv1.weight").equal(original.masks.at("conv1.weight")));
            QVERIFY(loaded.metadata == original.metadata);
        }
        QVERIFY2(refused > 150, qPrintable(QString::number(refused))); // most bytes are tensors
    }

    void inputsFuzzingFoundAreRefused()
    {
        // tests/fuzz/crashes/checkpoint: one made LibTorch's zip reader read past its buffer
        // (ASan) behind a zip check that let it through; each is now refused, naming the file.
        const QDir crashes(QString(PRUNELAB_SOURCE_DIR) + "/tests/fuzz/crashes/checkpoint");
        const QStringList files = crashes.entryList(QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString& name : files) {
            const QString path = crashes.filePath(name);
            const QString message = errorOf([&] { load_checkpoint(path.toStdString()); });
            QVERIFY2(message.contains(path), qPrintable(name + ": " + message));
        }
        // fuzz_torchscript: damaged code records made LibTorch throw its compiler's ErrorReport,
        // which no caller expected.
        const QDir scripts(QString(PRUNELAB_SOURCE_DIR) + "/tests/fuzz/crashes/torchscript");
        for (const QString& name : scripts.entryList(QDir::Files)) {
            const QString path = scripts.filePath(name);
            const QString message = errorOf([&] { load_script_net(path.toStdString(), {}, {64}); });
            QVERIFY2(message.contains(path) && message.contains("TorchScript"),
                     qPrintable(name + ": " + message));
        }
        // fuzz_project: a session state that was no zip archive at all went to LibTorch's
        // reader, which read freed memory (ASan).
        const QDir states(QString(PRUNELAB_SOURCE_DIR) + "/tests/fuzz/crashes/project");
        for (const QString& name : states.entryList(QDir::Files)) {
            const QString path = states.filePath(name);
            const QString message =
                errorOf([&] { load_tensor_archive(path.toStdString(), "prunelab-session", 1); });
            QVERIFY2(message.contains(path) && message.contains("not a zip archive"),
                     qPrintable(name + ": " + message));
        }
    }

    void tensorsAlteredAfterSavingAreRefused()
    {
        // A checkpoint re-pickled with another weight (CRCs then fit) breaks the SHA-256 seal.
        const auto good = checkpoint_bytes(sampleCheckpoint());
        auto root = torch::pickle_load(good).toGenericDict();
        auto weights = root.at(c10::IValue(std::string("state_dict"))).toGenericDict();
        weights.at(c10::IValue(std::string("fc.bias"))).toTensor().add_(1.0);
        const auto altered = torch::pickle_save(root);
        const QString message = errorOf([&] { load_checkpoint_bytes(altered, "edited.pt"); });
        QVERIFY2(message.contains("edited.pt") && message.contains("SHA-256"), qPrintable(message));
        root.erase(c10::IValue(std::string("state_sha256"))); // the way out the message names
        QVERIFY(errorOf([&] {
                    load_checkpoint_bytes(torch::pickle_save(root), "edited.pt");
                }).isEmpty());
    }

    void invalidMasksAreRefused_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("halves") << "halves"
                                << "values other than 0 and 1";
        QTest::newRow("nan") << "nan"
                             << "values other than 0 and 1";
        QTest::newRow("shape") << "shape"
                               << "has shape";
        QTest::newRow("name") << "name"
                              << "names no parameter";
    }

    void invalidMasksAreRefused()
    {
        // Issue 16 item 11: such masks were copied into every output unchecked.
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        auto checkpoint = sampleCheckpoint();
        checkpoint.masks.clear();
        if (kind == "halves")
            checkpoint.masks["conv1.weight"] = at::full({16, 3, 3, 3}, 0.5);
        else if (kind == "nan")
            checkpoint.masks["conv1.weight"] = at::full({16, 3, 3, 3}, NAN);
        else if (kind == "shape")
            checkpoint.masks["conv1.weight"] = at::ones({3, 3}, at::kBool);
        else
            checkpoint.masks["conv9.weight"] = at::ones({3, 3}, at::kBool);
        const QString message =
            errorOf([&] { load_checkpoint_bytes(checkpoint_bytes(checkpoint), "m.pt"); });
        QVERIFY2(message.contains("m.pt") && message.contains(expected), qPrintable(message));
        // Masks of 0.0/1.0 floats are masks (a Python user's), read as bool.
        checkpoint.masks.clear();
        checkpoint.masks["conv1.weight"] = (at::rand({16, 3, 3, 3}) > 0.5).to(at::kFloat);
        const auto loaded = load_checkpoint_bytes(checkpoint_bytes(checkpoint), "m.pt");
        QCOMPARE(loaded.masks.at("conv1.weight").scalar_type(), at::kBool);
    }

    void compactedWidthsRoundTripAndAreChecked()
    {
        QTemporaryDir dir;
        auto spec = default_model_spec("convnet");
        spec.widths = {{"conv1", 4}, {"fc1", 7}};
        Checkpoint small;
        small.net = create_model(spec, 2);
        QCOMPARE(small.net->named_parameters()["fc1.weight"].sizes().vec(),
                 (std::vector<int64_t>{7, 320}));
        const std::string path = dir.filePath("small.pt").toStdString();
        save_checkpoint(small, path);
        QCOMPARE(load_checkpoint(path).net->spec().widths, spec.widths);
        // A damaged width is a clear error, not a crash in a layer constructor.
        spec.widths["conv2"] = 0;
        Checkpoint broken;
        broken.net = small.net;
        const_cast<ModelSpec&>(broken.net->spec()).widths = spec.widths;
        save_checkpoint(broken, path);
        const QString message = errorOf([&] { load_checkpoint(path); });
        QVERIFY2(message.contains("conv2") && message.contains("damaged"), qPrintable(message));
    }

    void loadModelResolvesNamesPathsAndErrors()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("m.pt").toStdString();
        save_checkpoint(sampleCheckpoint(), path);
        QCOMPARE(load_model(path).net->spec().name, std::string("resnet20"));
        QCOMPARE(load_model("lenet300").metadata["trained"].get<bool>(), false);
        LoadModelOptions options;
        options.inputs = {{3, 16, 16}};
        options.num_classes = 4;
        const auto shaped = load_model("resnet20", options);
        QCOMPARE(shaped.net->spec().num_classes, int64_t(4));
        const QString message = errorOf([] { load_model("/tmp/definitely-missing.pt"); });
        QVERIFY(message.contains("definitely-missing.pt"));
        QVERIFY(message.contains("convnet"));
    }

    void embeddedDefaultIsTrained()
    {
        if (!has_embedded_default())
            QSKIP("this build has no embedded default checkpoint");
        const auto checkpoint = load_embedded_default();
        QCOMPARE(checkpoint.net->spec().name, std::string("convnet"));
        QCOMPARE(checkpoint.metadata["data"].get<std::string>(), std::string("fashion-mnist"));
        QVERIFY(checkpoint.metadata["test_accuracy"].get<double>() >= 0.90);
    }

    void pythonTorchLoadReadsCheckpoint()
    {
        if (!QFile::exists("/usr/bin/python3"))
            QSKIP("no /usr/bin/python3");
        QTemporaryDir dir;
        const QString path = dir.filePath("py.pt");
        const auto checkpoint = sampleCheckpoint();
        save_checkpoint(checkpoint, path.toStdString());
        const double expected =
            checkpoint.net->named_parameters()["fc.weight"].sum().item<double>();
        QProcess python;
        python.start(
            "/usr/bin/python3",
            {"-c",
             "import sys, json, torch\n"
             "c = torch.load(sys.argv[1])\n"
             "assert c['format'] == 'prunelab-checkpoint'\n"
             "sd = c['state_dict']\n"
             "print(json.loads(c['model'])['name'], float(sd['fc.weight'].sum()),"
             " sd['layer2.0.downsample.0.weight'].shape[1], c['masks']['conv1.weight'].dtype)\n",
             path});
        QVERIFY(python.waitForFinished(120000));
        const QString out = QString::fromUtf8(python.readAllStandardOutput()).trimmed();
        if (python.exitCode() != 0 && out.isEmpty() &&
            python.readAllStandardError().contains("No module named 'torch'"))
            QSKIP("python3-torch is not installed");
        const QStringList fields = out.split(' ');
        QCOMPARE(fields.size(), 4);
        QCOMPARE(fields[0], QString("resnet20"));
        QVERIFY(std::abs(fields[1].toDouble() - expected) < 1e-4);
        QCOMPARE(fields[2], QString("16"));
        QCOMPARE(fields[3], QString("torch.bool"));
    }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
