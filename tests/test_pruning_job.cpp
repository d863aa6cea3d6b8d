#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/pruning_job.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

class TestPruningJob : public QObject
{
    Q_OBJECT
    DataSplits m_data = test::smallSynthetic(256, 64);

    std::shared_ptr<PrunableNet> trainedNet()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        train(*net, m_data.train, nullptr, TrainOptions().epochs(2).batch(32).lr(3e-3));
        return net;
    }

private slots:
    void scheduleFractions()
    {
        QCOMPARE(schedule_fraction(Schedule::OneShot, 1, 1), 1.0);
        QCOMPARE(schedule_fraction(Schedule::Linear, 2, 4), 0.5);
        QCOMPARE(schedule_fraction(Schedule::Agp, 1, 2), 1.0 - 0.125);
        QCOMPARE(schedule_fraction(Schedule::Agp, 4, 4), 1.0);
        QVERIFY_THROWS_EXCEPTION(Error, parse_schedule("cubic"));
    }

    void masksSurviveFineTuning()
    {
        auto net = trainedNet();
        PruningJobOptions options;
        options.allocation.global_rate(0.7);
        options.finetune_epochs = 2;
        options.finetune.batch(32);
        const auto result = run_pruning(*net, m_data, options);
        QCOMPARE(result.steps.size(), size_t(1));
        // After 16 optimizer steps every masked weight is still exactly zero.
        auto params = net->named_parameters();
        for (const auto& [name, mask] : result.masks.masks()) {
            const auto pruned = params[name].masked_select(mask.eq(0));
            QCOMPARE(pruned.abs().max().item<float>(), 0.0f);
        }
        QVERIFY(std::abs(result.steps[0].sparsity - 0.7) < 0.01);
        QVERIFY(result.steps[0].accuracy > 0.5);
    }

    void finalFineTuneIsRecordedWithMasksHeld()
    {
        auto net = trainedNet();
        PruningJobOptions options;
        options.allocation.global_rate(0.9);
        options.final_finetune_epochs = 2;
        options.finetune.batch(32).lr(2e-3);
        int finalReports = 0;
        const auto result = run_pruning(*net, m_data, options, [&](const PruningProgress& p) {
            finalReports += p.phase == "final fine-tune";
        });
        QCOMPARE(result.steps.size(), size_t(2));
        QVERIFY(!result.steps[0].final_finetune && result.steps[1].final_finetune);
        QCOMPARE(finalReports, 2 * 8); // 2 epochs of 8 batches
        // Sparsity is exactly what the step left: the final training held the masks.
        QCOMPARE(result.steps[1].sparsity, result.steps[0].sparsity);
        QVERIFY(std::isfinite(result.steps[1].loss));
    }

    void iterativeStepsGrowMonotonically()
    {
        auto net = trainedNet();
        PruningJobOptions options;
        options.importance.criterion("random"); // a criterion that would not stay put by itself
        options.allocation.default_rate(0.8);
        options.schedule = Schedule::Linear;
        options.steps = 4;
        const auto result = run_pruning(*net, m_data, options);
        QCOMPARE(result.steps.size(), size_t(4));
        for (size_t i = 1; i < result.steps.size(); ++i)
            QVERIFY(result.steps[i].sparsity > result.steps[i - 1].sparsity);
        QVERIFY(std::abs(result.steps.back().sparsity - 0.8) < 0.01);
        // Weights pruned in the last step include those of the first: masks only grow.
        QCOMPARE(net->named_parameters()["fc1.weight"].eq(0).sum().item<int64_t>(),
                 result.masks.find("fc1.weight")->eq(0).sum().item<int64_t>());
    }

    void structuredJobZeroesWholeFilters()
    {
        auto net = trainedNet();
        PruningJobOptions options;
        options.importance.criterion("taylor").granularity(Granularity::Filter).batch(64);
        options.allocation.default_rate(0.5);
        options.finetune_epochs = 1;
        const auto result = run_pruning(*net, m_data, options);
        const auto conv2 = net->named_parameters()["conv2.weight"].flatten(1).abs().sum(1);
        QCOMPARE(conv2.eq(0).sum().item<int64_t>(), int64_t(10));
    }

    void headsAndRecurrentUnitsPruneThroughAJob_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("granularity");
        QTest::addColumn<QString>("layer");
        QTest::addColumn<int>("zeroRows");
        QTest::newRow("vit-tiny heads") << "vit-tiny"
                                        << "head"
                                        << "blocks.1.attn.v" << 32;
        QTest::newRow("lstm units") << "lstm"
                                    << "unit"
                                    << "rnn.hh" << 4 * 64;
    }

    void headsAndRecurrentUnitsPruneThroughAJob()
    {
        // A head is 16 rows, a recurrent unit one row per gate: the job's up-front check that
        // something can be pruned must count units, not rows.
        QFETCH(QString, model);
        QFETCH(QString, granularity);
        QFETCH(QString, layer);
        QFETCH(int, zeroRows);
        auto net = create_model(default_model_spec(model.toStdString()), 1);
        PruningJobOptions options;
        options.importance.granularity(parse_granularity(granularity.toStdString()));
        options.allocation.default_rate(0.5);
        const auto data = test::smallSynthetic(32, 16);
        run_pruning(*net, data, options);
        const auto weight = net->named_parameters()[layer.toStdString() + ".weight"].detach();
        QCOMPARE(weight.abs().amax(1).eq(0).sum().item<int64_t>(), int64_t(zeroRows));
    }

    void rejectsBadJobsBeforeTouchingTheModel()
    {
        auto net = trainedNet();
        const auto before = net->parameters()[2].clone();
        PruningJobOptions options;
        options.allocation.default_threshold(0.01f);
        options.schedule = Schedule::Agp;
        options.steps = 3;
        QVERIFY_THROWS_EXCEPTION(Error, run_pruning(*net, m_data, options));
        PruningJobOptions bad;
        bad.allocation.default_rate(2.0);
        QVERIFY_THROWS_EXCEPTION(Error, run_pruning(*net, m_data, bad));
        QVERIFY(net->parameters()[2].equal(before));
    }

    void cancelKeepsLastCompletedStep()
    {
        auto net = trainedNet();
        PruningJobOptions options;
        options.allocation.default_rate(0.6);
        options.schedule = Schedule::Linear;
        options.steps = 3;
        std::atomic<bool> cancel{false};
        const auto result = run_pruning(
            *net, m_data, options,
            [&](const PruningProgress& p) {
                if (p.step == 2 && p.phase == "score")
                    cancel = true;
            },
            &cancel);
        QVERIFY(result.cancelled);
        QCOMPARE(result.steps.size(), size_t(1));
        QVERIFY(std::abs(describe_model(*net).sparsity() - 0.2) < 0.01);
    }
};

QTEST_GUILESS_MAIN(TestPruningJob)
#include "test_pruning_job.moc"
