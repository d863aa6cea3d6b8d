// Sparse checkpoints (issue 18 item 3): each tensor's kept elements as a bitmask or CSR plus
// their values, float32 or per-row int8. Round trips, the encoding chosen by size, damaged
// entries refused, the file size at 90% sparsity, and the Python reader in docs/.

#include "engine/export/storage_sizes.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/sparse_tensors.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "engine/pruning/importance.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;
using prunelab::test::lastJson;

namespace {

/// The default ConvNet with `rate` of its weights pruned globally by l1 (masks applied).
Checkpoint prunedConvNet(double rate)
{
    Checkpoint checkpoint;
    checkpoint.net = create_model(default_model_spec("convnet"), 3);
    Pruner pruner(*checkpoint.net,
                  compute_importance(*checkpoint.net, nullptr, ImportanceOptions()));
    const auto allocation = pruner.allocate(AllocationOptions().global_rate(rate));
    allocation.masks.apply_(*checkpoint.net);
    checkpoint.masks = allocation.masks.to_bool();
    return checkpoint;
}

std::string encodingOf(const c10::IValue& entry)
{
    return entry.toGenericDict().at(c10::IValue(std::string("encoding"))).toStringRef();
}

c10::impl::GenericDict entryOf(const c10::IValue& entry)
{
    return entry.toGenericDict();
}

} // namespace

class TestSparseStorage : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void encodingIsTheSmallestAndRoundTripsExactly_data()
    {
        QTest::addColumn<double>("sparsity");
        QTest::addColumn<QString>("encoding");
        QTest::newRow("0%: dense") << 0.0 << "dense";
        QTest::newRow("50%: bitmask") << 0.5 << "bitmask";
        QTest::newRow("90%: bitmask") << 0.9 << "bitmask";
        QTest::newRow("99%: csr") << 0.99 << "csr";
    }

    void encodingIsTheSmallestAndRoundTripsExactly()
    {
        QFETCH(double, sparsity);
        QFETCH(QString, encoding);
        auto generator = at::make_generator<at::CPUGeneratorImpl>(4);
        at::Tensor weight = at::randn({64, 32, 3, 3}, generator);
        weight.mul_(at::rand({64, 32, 3, 3}, generator).ge(sparsity).to(at::kFloat));
        const c10::IValue entry = encode_sparse_tensor(weight, at::Tensor(), {});
        QCOMPARE(QString::fromStdString(encodingOf(entry)), encoding);
        at::Tensor kept;
        const at::Tensor back = decode_sparse_tensor(entry, "test", "w", &kept);
        QVERIFY(at::equal(back, weight));
        QVERIFY(at::equal(kept, weight.ne(0)));
    }

    void aMaskIsKeptEvenWhereAKeptWeightIsZero()
    {
        at::Tensor weight = at::arange(12, at::kFloat).reshape({3, 4}); // weight[0][0] == 0
        at::Tensor mask = at::ones({3, 4}, at::kBool);
        mask[2][3] = false;
        weight[2][3] = 0;
        at::Tensor kept;
        decode_sparse_tensor(encode_sparse_tensor(weight, mask, {}), "test", "w", &kept);
        QVERIFY(at::equal(kept, mask)); // not weight != 0: the zero at [0][0] is kept
    }

    void int8IsWithinHalfAStepPerRow()
    {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(5);
        at::Tensor weight = at::randn({16, 50}, generator);
        weight.mul_(at::rand({16, 50}, generator).ge(0.8).to(at::kFloat));
        SparseEncoding encoding;
        encoding.int8 = true;
        const c10::IValue entry = encode_sparse_tensor(weight, at::Tensor(), encoding);
        QCOMPARE(entryOf(entry).at(c10::IValue(std::string("values"))).toTensor().scalar_type(),
                 at::kChar);
        const at::Tensor back = decode_sparse_tensor(entry, "test", "w");
        const at::Tensor step = std::get<0>(weight.abs().max(1)) / 127.0;
        const at::Tensor error = std::get<0>((back - weight).abs().max(1));
        QVERIFY((error <= step / 2 + 1e-6).all().item<bool>());
        QVERIFY(back.masked_select(weight.eq(0)).eq(0).all().item<bool>()); // pruned stay 0
        // A bias (rank 1) is not quantized.
        const at::Tensor bias = at::randn({16}, generator);
        QVERIFY(at::equal(
            decode_sparse_tensor(encode_sparse_tensor(bias, at::Tensor(), encoding), "test", "b"),
            bias));
    }

    void damagedEntriesAreRefusedByName()
    {
        at::Tensor weight = at::zeros({8, 8});
        weight[1][2] = 1.5;
        auto bitmask = entryOf(encode_sparse_tensor(weight, at::Tensor(), {}));
        bitmask.insert_or_assign(std::string("bits"), at::zeros({3}, at::kByte));
        QVERIFY(test::errorOf([&] {
                    decode_sparse_tensor(bitmask, "f.pt", "fc.weight");
                }).contains("f.pt: sparse tensor 'fc.weight': its bitmask has the wrong size"));

        weight = at::zeros({8, 200});
        weight[3][7] = 2.0;
        auto csr = entryOf(encode_sparse_tensor(weight, at::Tensor(), {}));
        QCOMPARE(QString::fromStdString(encodingOf(csr)), QString("csr"));
        csr.insert_or_assign(std::string("col"), at::full({1}, 500, at::kShort));
        QVERIFY(test::errorOf([&] {
                    decode_sparse_tensor(csr, "f.pt", "fc.weight");
                }).contains("CSR indices are damaged"));

        auto values = entryOf(encode_sparse_tensor(weight, at::Tensor(), {}));
        values.insert_or_assign(std::string("values"), at::ones({5}));
        QVERIFY(test::errorOf([&] {
                    decode_sparse_tensor(values, "f.pt", "fc.weight");
                }).contains("5 values for 1 kept elements"));
    }

    void ninetyPercentConvNetIsAtLeastFiveTimesSmallerAndLoadsBack()
    {
        const Checkpoint pruned = prunedConvNet(0.9);
        const QString dense = m_dir.filePath("dense.pt");
        const QString sparse = m_dir.filePath("sparse.pt");
        const QString int8 = m_dir.filePath("int8.pt");
        save_checkpoint(pruned, dense.toStdString());
        save_checkpoint(pruned, sparse.toStdString(), CheckpointStorage{true, false});
        save_checkpoint(pruned, int8.toStdString(), CheckpointStorage{true, true});
        const double ratio = double(QFileInfo(dense).size()) / double(QFileInfo(sparse).size());
        QVERIFY2(ratio >= 5.0, qPrintable(QString("%1x").arg(ratio)));
        QVERIFY(QFileInfo(int8).size() < QFileInfo(sparse).size());

        const Checkpoint back = load_checkpoint(sparse.toStdString());
        QVERIFY(at::equal(back.net->named_parameters()["fc1.weight"],
                          pruned.net->named_parameters()["fc1.weight"]));
        QCOMPARE(back.masks.size(), pruned.masks.size());
        for (const auto& [name, mask] : pruned.masks)
            QVERIFY2(at::equal(back.masks.at(name), mask), name.c_str());

        // The sizes the report gives are the files' sizes.
        const auto sizes = storage_sizes(pruned);
        QCOMPARE(sizes["dense_bytes"].get<qint64>(), QFileInfo(dense).size());
        QCOMPARE(sizes["sparse_bytes"].get<qint64>(), QFileInfo(sparse).size());
        QCOMPARE(sizes["sparse_int8_bytes"].get<qint64>(), QFileInfo(int8).size());
        QVERIFY(sizes["compacted_bytes"].is_null()); // weight pruning removes no channel
    }

    void aFlippedValueBreaksTheSeal()
    {
        const Checkpoint pruned = prunedConvNet(0.5);
        const auto bytes = checkpoint_bytes(pruned, CheckpointStorage{true, true});
        c10::IValue root = torch::pickle_load(bytes);
        auto entry = root.toGenericDict()
                         .at(c10::IValue(std::string("sparse_state")))
                         .toGenericDict()
                         .at(c10::IValue(std::string("conv2.weight")))
                         .toGenericDict();
        at::Tensor values = entry.at(c10::IValue(std::string("values"))).toTensor();
        values[0] = int8_t(values[0].item<int8_t>() ^ 1);
        const auto damaged = torch::pickle_save(root);
        QVERIFY(test::errorOf([&] {
                    load_checkpoint_bytes(damaged, "s.pt");
                }).contains("do not match the SHA-256"));
    }

    void cliWritesItAndPythonReadsIt()
    {
        const QString dense = m_dir.filePath("cli_dense.pt");
        save_checkpoint(prunedConvNet(0.8), dense.toStdString());
        for (const bool int8 : {false, true}) {
            const QString sparse = m_dir.filePath(int8 ? "cli_int8.pt" : "cli_sparse.pt");
            QStringList args = {"export", dense, "--sparse", sparse};
            if (int8)
                args << "--int8";
            QString out, err;
            QVERIFY2(test::runCli(args, &out, &err) == 0, qPrintable(err));
            // prunelab-cli reads it back as a model.
            QVERIFY2(test::runCli({"info", sparse, "--json"}, &out, &err) == 0, qPrintable(err));
            QVERIFY(std::abs(lastJson(out)["sparsity"].toDouble() - 0.8) < 0.01);
            int code = 0;
            const QString checked = test::runPython(
                {QString(PRUNELAB_SOURCE_DIR) + "/tests/python/sparse_check.py", dense, sparse},
                &code);
            QVERIFY2(code == 0, qPrintable(checked));
            const QJsonObject json = lastJson(checked);
            QVERIFY(json["same_keys"].toBool());
            QVERIFY(json["masks_equal"].toBool());
            QCOMPARE(json["model"].toString(), QString("convnet"));
            if (int8)
                QVERIFY2(json["max_difference"].toDouble() < 0.01, qPrintable(checked));
            else
                QCOMPARE(json["max_difference"].toDouble(), 0.0);
        }
        QString out, err;
        QCOMPARE(test::runCli({"export", dense, "--int8", "--state-dict", m_dir.filePath("x.pt")},
                              &out, &err),
                 2);
        QVERIFY2(err.contains("--int8 applies to --sparse"), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestSparseStorage)
#include "test_sparse_storage.moc"
