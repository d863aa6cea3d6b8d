// PruneLab's masks against torch.nn.utils.prune on the same random weights, made in Python.
#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <torch/serialize.h>

using namespace prunelab;

namespace {
const std::vector<std::string> kLayers = {"conv1", "conv2", "fc1", "fc2"};
}

class TestTorchParity : public QObject
{
    Q_OBJECT
    std::map<std::string, at::Tensor> m_python;
    std::shared_ptr<PrunableNet> m_net;

private slots:
    void initTestCase()
    {
        if (!QFile::exists("/usr/bin/python3"))
            QSKIP("no /usr/bin/python3");
        QTemporaryDir dir;
        const QString out = dir.filePath("parity.pt");
        QProcess python;
        python.start(
            "/usr/bin/python3",
            {QStringLiteral(PRUNELAB_SOURCE_DIR "/tests/python/prune_parity.py"), out, "7"});
        QVERIFY(python.waitForFinished(120000));
        const QByteArray err = python.readAllStandardError();
        if (err.contains("No module named 'torch'"))
            QSKIP("python3-torch is not installed");
        QVERIFY2(python.exitCode() == 0, err.constData());
        const auto bytes = test::readBytes(out);
        const auto root = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        for (const auto& item : root.toGenericDict())
            m_python[item.key().toStringRef()] = item.value().toTensor();

        m_net = create_model(default_model_spec("convnet"));
        at::NoGradGuard no_grad;
        for (auto& item : m_net->named_parameters())
            item.value().copy_(m_python.at("state/" + item.key()));
    }

    void l1UnstructuredPerLayer()
    {
        Pruner pruner(*m_net, compute_importance(*m_net, nullptr, ImportanceOptions()));
        const auto result = pruner.allocate(AllocationOptions().default_rate(0.3));
        for (const auto& layer : kLayers) {
            const auto ours = result.masks.find(layer + ".weight")->ne(0);
            QVERIFY2(ours.equal(m_python.at("l1_unstructured/" + layer)), layer.c_str());
        }
    }

    void globalUnstructured()
    {
        Pruner pruner(*m_net, compute_importance(*m_net, nullptr, ImportanceOptions()));
        const auto result = pruner.allocate(AllocationOptions().global_rate(0.6));
        for (const auto& layer : kLayers) {
            const auto ours = result.masks.find(layer + ".weight")->ne(0);
            QVERIFY2(ours.equal(m_python.at("global_unstructured/" + layer)), layer.c_str());
        }
    }

    void lnStructured_data()
    {
        QTest::addColumn<int>("n");
        QTest::newRow("L1 norm (n=1)") << 1;
        QTest::newRow("L2 norm (n=2)") << 2;
    }

    void lnStructured()
    {
        QFETCH(int, n);
        const std::string criterion = n == 1 ? "l1" : "l2";
        const std::string key = "ln" + std::to_string(n) + "_structured/";
        for (auto granularity : {Granularity::Filter, Granularity::Neuron}) {
            auto options = ImportanceOptions().criterion(criterion).granularity(granularity);
            Pruner pruner(*m_net, compute_importance(*m_net, nullptr, options));
            const auto result = pruner.allocate(AllocationOptions().default_rate(0.5));
            for (const auto& layer : result.layers) {
                if (!layer.pruned)
                    continue;
                QVERIFY2(layer.keep.ne(0).equal(m_python.at(key + layer.layer)),
                         layer.layer.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestTorchParity)
#include "test_torch_parity.moc"
