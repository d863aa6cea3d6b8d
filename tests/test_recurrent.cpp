// lstm and gru: a recurrent layer's units as one channel group (a row in every gate of ih and
// hh, hh's column, the next layer's input), unit pruning, and compaction that removes units.
#include "engine/compaction/compaction.h"
#include "engine/models/dependency.h"
#include "engine/models/model_factory.h"
#include "engine/models/models.h"
#include "engine/pruning/allocation.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

namespace {

at::Tensor parameter(PrunableNet& net, const std::string& name)
{
    return net.named_parameters()[name].detach();
}

AllocationResult pruneUnits(PrunableNet& net, double rate, const std::string& criterion = "l1",
                            const Dataset* data = nullptr)
{
    const auto importance = compute_importance(net, data,
                                               ImportanceOptions()
                                                   .criterion(criterion)
                                                   .granularity(parse_granularity("unit"))
                                                   .calibration_batches(2)
                                                   .batch(16));
    auto allocation = Pruner(net, importance).allocate(AllocationOptions().default_rate(rate));
    allocation.masks.apply_(net);
    return allocation;
}

} // namespace

class TestRecurrent : public QObject
{
    Q_OBJECT
private slots:
    void unitsAreOneGroupAcrossGatesAndTheRecurrence_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("gates");
        QTest::newRow("lstm") << "lstm" << 4;
        QTest::newRow("gru") << "gru" << 3;
    }

    void unitsAreOneGroupAcrossGatesAndTheRecurrence()
    {
        QFETCH(QString, model);
        QFETCH(int, gates);
        auto net = create_model(default_model_spec(model.toStdString()), 2);
        const auto d = analyze_dependencies(*net);
        QVERIFY(d.warnings.empty());
        const ChannelGroup* units = d.group_of("rnn.ih");
        QVERIFY(units && units->prunable);
        QCOMPARE(units->channels, int64_t(128));
        QCOMPARE(units->producer_gates(), int64_t(gates));
        QVERIFY(units->has_producer("rnn.hh"));
        int consumers = 0;
        for (const auto& m : units->members)
            consumers +=
                m.role == GroupMember::Role::Consumer && (m.layer == "rnn.hh" || m.layer == "fc");
        QCOMPARE(consumers, 2);
        // The hidden-state Linear runs at each of the 28 steps.
        for (const auto& layer : describe_model(*net).layers)
            if (layer.name == "rnn.hh")
                QCOMPARE(layer.flops, int64_t(28) * gates * 128 * 128);
    }

    void pruningAUnitZeroesItsRowInEveryGateAndItsColumns()
    {
        auto net = create_model(default_model_spec("lstm"), 2);
        pruneUnits(*net, 0.25);
        const auto ih = parameter(*net, "rnn.ih.weight").view({4, 128, -1});
        const auto deadIh = ih.abs().amax(2).eq(0); // [gates, units]
        QCOMPARE(deadIh.sum().item<int64_t>(), int64_t(4 * 32));
        // The same 32 units in every gate, and the same columns of hh and fc.
        for (int g = 1; g < 4; ++g)
            QVERIFY(deadIh[g].equal(deadIh[0]));
        const auto deadColumns = parameter(*net, "rnn.hh.weight").abs().amax(0).eq(0);
        QVERIFY(deadColumns.equal(deadIh[0]));
        QVERIFY(parameter(*net, "fc.weight").abs().amax(0).eq(0).equal(deadIh[0]));
        QCOMPARE(parameter(*net, "rnn.hh.bias").view({4, 128}).eq(0).sum().item<int64_t>(),
                 int64_t(4 * 32));
    }

    void compactionRemovesUnitsWithOutputsUnchanged_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("criterion");
        QTest::newRow("lstm l1") << "lstm"
                                 << "l1";
        QTest::newRow("gru l1") << "gru"
                                << "l1";
        QTest::newRow("lstm activation-abs") << "lstm"
                                             << "activation-abs";
        QTest::newRow("gru taylor") << "gru"
                                    << "taylor";
    }

    void compactionRemovesUnitsWithOutputsUnchanged()
    {
        QFETCH(QString, model);
        QFETCH(QString, criterion);
        auto net = create_model(default_model_spec(model.toStdString()), 2);
        const auto data = test::smallSynthetic(64, 16).train;
        const auto masks = pruneUnits(*net, 0.5, criterion.toStdString(), &data).masks;
        const auto result = compact(*net, masks);
        QVERIFY(result.changed());
        QVERIFY2(result.max_abs_diff < 1e-5, qPrintable(QString::number(result.max_abs_diff)));
        auto& small = *result.net;
        const int64_t gates = model == "lstm" ? 4 : 3;
        QCOMPARE(parameter(small, "rnn.hh.weight").sizes().vec(),
                 (std::vector<int64_t>{gates * 64, 64}));
        QCOMPARE(parameter(small, "fc.weight").size(1), int64_t(64));
        const auto x = at::randn({3, 1, 28, 28});
        at::NoGradGuard no_grad;
        QVERIFY(at::allclose(net->forward(x), small.forward(x), 1e-4, 1e-5));
    }
};

QTEST_GUILESS_MAIN(TestRecurrent)
#include "test_recurrent.moc"
