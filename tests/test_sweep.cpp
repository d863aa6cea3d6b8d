#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/sensitivity.h"
#include "engine/pruning/sweep.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

class TestSweep : public QObject
{
    Q_OBJECT
    DataSplits m_data = test::smallSynthetic(256, 128);
    std::shared_ptr<PrunableNet> m_net;

private slots:
    void initTestCase()
    {
        m_net = create_model(default_model_spec("convnet"), 1);
        train(*m_net, m_data.train, nullptr, TrainOptions().epochs(2).batch(32).lr(3e-3));
    }

    void everyPointStartsFromDenseWeights()
    {
        const auto before = m_net->named_parameters()["fc1.weight"].clone();
        SweepOptions options;
        options.criteria = {"l1", "random"};
        options.sparsities = {0.0, 0.5, 0.95};
        const auto result = run_sweep(*m_net, m_data, options);
        QCOMPARE(result.points.size(), size_t(6));
        QVERIFY(m_net->named_parameters()["fc1.weight"].equal(before)); // dense again
        // Sparsity 0 reproduces the dense accuracy; each point's sparsity is what was asked.
        QCOMPARE(result.points[0].accuracy, result.dense_accuracy);
        QVERIFY(std::abs(result.points[1].sparsity - 0.5) < 1e-3);
        QVERIFY(std::abs(result.points[2].sparsity - 0.95) < 1e-3);
        // Magnitude beats random at 95%.
        QVERIFY(result.points[2].accuracy >= result.points[5].accuracy);
        // Each criterion scores the dense model, whatever ran before it: l1 after random gives
        // the same points as l1 alone.
        SweepOptions after = options;
        after.criteria = {"random", "l1"};
        const auto mixed = run_sweep(*m_net, m_data, after);
        for (size_t i = 0; i < 3; ++i)
            QCOMPARE(mixed.points[3 + i].accuracy, result.points[i].accuracy);
    }

    void fineTunedPointsRecover()
    {
        SweepOptions options;
        // At 98% one-shot pruning collapses; fine-tuning with the masks held recovers some.
        options.sparsities = {0.98};
        const auto oneShot = run_sweep(*m_net, m_data, options);
        options.finetune_epochs = 3;
        options.finetune.batch(32).lr(3e-3);
        const auto tuned = run_sweep(*m_net, m_data, options);
        QVERIFY2(tuned.points[0].accuracy > oneShot.points[0].accuracy,
                 qPrintable(QString("one-shot %1, fine-tuned %2")
                                .arg(oneShot.points[0].accuracy)
                                .arg(tuned.points[0].accuracy)));
        QCOMPARE(tuned.points[0].finetune_epochs, 3);
        QVERIFY(std::abs(tuned.points[0].sparsity - 0.98) < 1e-3); // masks held
    }

    void sensitivityAndAllocation()
    {
        SensitivityOptions options;
        options.sparsities = {0.3, 0.6, 0.9};
        const auto result = run_sensitivity(*m_net, m_data, options);
        QCOMPARE(result.layers.size(), size_t(4));
        QCOMPARE(result.points.size(), size_t(12));
        const auto rates = allocate_by_sensitivity(result, 0.6);
        double pruned = 0.0, total = 0.0;
        for (size_t i = 0; i < result.layers.size(); ++i) {
            const double rate = rates.at(result.layers[i]);
            QVERIFY(rate >= 0.0 && rate <= 0.9 + 1e-9);
            pruned += rate * double(result.layer_elements[i]);
            total += double(result.layer_elements[i]);
        }
        QVERIFY2(pruned / total >= 0.6 - 1e-6, qPrintable(QString::number(pruned / total)));
        QVERIFY_THROWS_EXCEPTION(Error, allocate_by_sensitivity(result, 1.0));
    }

    void decisionsNeverReadTheTestSplit()
    {
        // The test split is poisoned: samples of another shape, which any evaluation refuses.
        DataSplits data = m_data;
        data.validation = m_data.test.head(64);
        data.test.images = at::zeros({8, 3, 5, 5});
        data.test.labels = at::zeros({8}, at::kLong);
        SensitivityOptions sensitivity;
        sensitivity.sparsities = {0.5};
        const auto analysed = run_sensitivity(*m_net, data, sensitivity);
        QCOMPARE(analysed.measured.split, std::string("validation"));
        QCOMPARE(analysed.measured.metric, std::string("accuracy"));
        QVERIFY(!allocate_by_sensitivity(analysed, 0.5).empty());
        SweepOptions sweep;
        sweep.sparsities = {0.5};
        sweep.finetune_epochs = 1;
        const auto swept = run_sweep(*m_net, data, sweep);
        QCOMPARE(swept.measured.split, std::string("validation"));
        QCOMPARE(swept.points.size(), size_t(1));
        // The same accuracy as measuring the validation split directly: it is what was read.
        QCOMPARE(analysed.dense_accuracy, evaluate(*m_net, data.validation).accuracy);
        // Without a validation split they measure on the test split, so the poison is found.
        data.validation = Dataset();
        QVERIFY_THROWS_EXCEPTION(Error, run_sensitivity(*m_net, data, sensitivity));
        QVERIFY_THROWS_EXCEPTION(Error, run_sweep(*m_net, data, sweep));
    }

    void allocationPrunesInsensitiveLayersHarder()
    {
        // Hand-made curves: layer "a" loses nothing up to 90%, layer "b" collapses early.
        SensitivityResult s;
        s.dense_accuracy = 0.9;
        s.layers = {"a", "b"};
        s.layer_elements = {1000, 1000};
        for (double x : {0.3, 0.6, 0.9}) {
            s.points.push_back({"a", x, 0.9});
            s.points.push_back({"b", x, 0.9 - x * 0.5});
        }
        const auto rates = allocate_by_sensitivity(s, 0.5);
        QVERIFY(rates.at("a") > rates.at("b"));
        QVERIFY(std::abs(rates.at("a") - 0.9) < 1e-6);
    }

    void rejectsBadSweeps()
    {
        SweepOptions options;
        options.sparsities = {};
        QVERIFY_THROWS_EXCEPTION(Error, run_sweep(*m_net, m_data, options));
        options.sparsities = {1.5};
        QVERIFY_THROWS_EXCEPTION(Error, run_sweep(*m_net, m_data, options));
        options.sparsities = {0.5};
        options.criteria = {"magic"};
        QVERIFY_THROWS_EXCEPTION(Error, run_sweep(*m_net, m_data, options));
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
