#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;
using prunelab::test::errorOf;

namespace {

Pruner pruner(PrunableNet& net, Granularity g = Granularity::Weight, const std::string& c = "l1")
{
    return Pruner(
        net, compute_importance(net, nullptr, ImportanceOptions().criterion(c).granularity(g)));
}

int64_t zeros(const AllocationResult& r, const std::string& parameter)
{
    return r.masks.find(parameter)->eq(0).sum().item<int64_t>();
}

} // namespace

class TestAllocation : public QObject
{
    Q_OBJECT
private slots:
    void perLayerRatesPruneExactCounts()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto options = AllocationOptions().default_rate(0.5);
        options.layers["fc1"].rate = 0.9;
        const auto r = pruner(*net).allocate(options);
        QCOMPARE(zeros(r, "conv2.weight"), int64_t(2500));
        QCOMPARE(zeros(r, "fc1.weight"), int64_t(14400));
        QVERIFY(r.masks.find("fc1.bias") == nullptr); // weight pruning leaves biases alone
        // The kept weights are the largest ones.
        auto w = net->named_parameters()["conv2.weight"].abs();
        auto kept = w.masked_select(r.masks.find("conv2.weight")->ne(0));
        auto dropped = w.masked_select(r.masks.find("conv2.weight")->eq(0));
        QVERIFY(kept.min().item<float>() >= dropped.max().item<float>());
    }

    void globalRateRanksAcrossLayers()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto options = AllocationOptions().global_rate(0.8);
        options.excluded({"fc2"});
        const auto r = pruner(*net).allocate(options);
        const int64_t total = 250 + 5000 + 16000;
        QCOMPARE(r.pruned_elements, int64_t(std::nearbyint(0.8 * total)));
        QVERIFY(r.masks.find("fc2.weight") == nullptr);
        // Layers end at different rates: the global ranking is not a per-layer rate.
        QVERIFY(std::abs(r.layers[0].rate - r.layers[2].rate) > 0.05);
    }

    void globalFilterRateNeverEmptiesALayer()
    {
        // conv1's filters have 25 inputs, conv2's 250: raw l1 norms rank all of conv1 below
        // conv2, so a raw 50% global rate empties conv1 (keeping only its best filter).
        auto net = create_model(default_model_spec("convnet"), 1);
        auto p = pruner(*net, Granularity::Filter);
        const auto raw = p.allocate(AllocationOptions()
                                        .global_rate(0.5)
                                        .normalizer(ScoreNormalizer::None)
                                        .max_layer_rate(1.0));
        QCOMPARE(raw.layers[0].pruned_elements, raw.layers[0].elements - 1);
        // The default: scores over the layer's mean, and no layer above 90%.
        const auto fair = p.allocate(AllocationOptions().global_rate(0.5));
        QCOMPARE(fair.pruned_elements, int64_t(15)); // of 10 + 20 filters
        for (const auto& layer : fair.layers)
            if (layer.pruned)
                QVERIFY2(layer.rate <= 0.9 && layer.pruned_elements > 0, layer.layer.c_str());
        // Raw but capped keeps conv1 at 90% at most and takes the rest from conv2.
        const auto capped =
            p.allocate(AllocationOptions().global_rate(0.5).normalizer(ScoreNormalizer::None));
        QCOMPARE(capped.layers[0].pruned_elements, int64_t(9));
        QCOMPARE(capped.pruned_elements, int64_t(15));
        QVERIFY(errorOf([&] {
                    p.allocate(AllocationOptions().global_rate(0.5).max_layer_rate(2));
                }).contains("outside [0, 1]"));
        // Single weights rank raw by default (global magnitude pruning).
        QCOMPARE(default_normalizer(Granularity::Weight), ScoreNormalizer::None);
        QCOMPARE(default_normalizer(Granularity::Filter), ScoreNormalizer::Mean);
    }

    void thresholdAndRateAgree()
    {
        auto net = create_model(default_model_spec("lenet300"), 1);
        auto p = pruner(*net);
        const auto byRate = p.allocate(AllocationOptions().default_rate(0.3));
        const float threshold = byRate.layers[0].threshold;
        auto byThreshold = AllocationOptions();
        byThreshold.layers["fc1"].threshold = threshold;
        const auto r = p.allocate(byThreshold);
        QCOMPARE(r.layers[0].pruned_elements, byRate.layers[0].pruned_elements);
        QCOMPARE(p.index().rate_for_threshold(0, threshold), r.layers[0].rate);
        QVERIFY(!r.layers[1].pruned); // only fc1 was asked for
    }

    void lockedLayersKeepTheirSetting()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto options = AllocationOptions().global_rate(0.9);
        options.layers["conv1"].rate = 0.1;
        options.locked({"conv1"});
        const auto r = pruner(*net).allocate(options);
        QCOMPARE(r.layers[0].pruned_elements, int64_t(25));
    }

    void rateZeroAndOneEdges()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto p = pruner(*net);
        const auto none = p.allocate(AllocationOptions().default_rate(0.0));
        QCOMPARE(none.pruned_elements, int64_t(0));
        const auto all = p.allocate(AllocationOptions().default_rate(1.0));
        QCOMPARE(all.warnings.size(), size_t(4));
        QVERIFY(QString::fromStdString(all.warnings[0]).contains("kept its most important one"));
        for (const auto& layer : all.layers)
            QCOMPARE(layer.pruned_elements, layer.elements - 1);
        QVERIFY(
            errorOf([&] { p.allocate(AllocationOptions().default_rate(NAN)); }).contains("NaN"));
        QVERIFY(errorOf([&] {
                    p.allocate(AllocationOptions().global_rate(1.2));
                }).contains("outside [0, 1]"));
        auto unknown = AllocationOptions();
        unknown.layers["conv9"].rate = 0.5;
        QVERIFY(errorOf([&] { p.allocate(unknown); }).contains("no prunable layer named 'conv9'"));
        QVERIFY(errorOf([&] { p.allocate(AllocationOptions()); }).contains("nothing to prune"));
    }

    void filterTakesBiasAndNextLayerInputs()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto options = AllocationOptions();
        options.layers["conv2"].rate = 0.5;
        const auto r = pruner(*net, Granularity::Filter).allocate(options);
        const auto keep = r.layers[1].keep; // 20 filters
        QCOMPARE(keep.eq(0).sum().item<int64_t>(), int64_t(10));
        QVERIFY(r.masks.find("conv2.bias")->equal(keep));
        // conv2's 20 channels reach fc1 through a 4×4 flatten: 16 columns per filter.
        const auto columns = r.masks.find("fc1.weight")->select(0, 0);
        QVERIFY(columns.equal(keep.repeat_interleave(16)));
        QCOMPARE(zeros(r, "fc1.weight"), int64_t(50 * 160));
        QVERIFY(r.masks.find("conv1.weight") == nullptr);
    }

    void neuronPruningSkipsOutputLayer()
    {
        auto net = create_model(default_model_spec("lenet300"), 1);
        const auto r =
            pruner(*net, Granularity::Neuron, "l2").allocate(AllocationOptions().default_rate(0.5));
        QVERIFY(r.layers[0].pruned && r.layers[1].pruned && !r.layers[2].pruned);
        QCOMPARE(zeros(r, "fc1.bias"), int64_t(150));
        // fc2's pruned rows and fc1's pruned neurons both zero parts of fc2.weight.
        QCOMPARE(zeros(r, "fc2.weight"), int64_t(100 * 300 - 50 * 150));
        QCOMPARE(zeros(r, "fc3.weight"), int64_t(10 * 50));
    }

    void residualGroupsPruneTogether()
    {
        auto net = create_model(default_model_spec("resnet20"), 1);
        auto options = AllocationOptions();
        options.layers["layer1.0.conv1"].rate = 0.5;
        options.layers["conv1"].rate = 0.25;         // leads the first stage's residual stream
        options.layers["layer1.0.conv2"].rate = 0.9; // follows conv1: its own setting is ignored
        const auto r = pruner(*net, Granularity::Filter).allocate(options);
        // Inside the block conv1 → bn1 → conv2 is direct: conv2 loses 8 input channels.
        QCOMPARE(zeros(r, "layer1.0.bn1.weight"), int64_t(8));
        // The stream: 4 of 16 channels go from the stem, every block's conv2 and BatchNorm ...
        QCOMPARE(zeros(r, "bn1.weight"), int64_t(4));
        QCOMPARE(zeros(r, "layer1.2.bn2.bias"), int64_t(4));
        QCOMPARE(zeros(r, "layer1.1.conv2.weight"), int64_t(4 * 16 * 9));
        // ... and from everything that reads it: the next stage's shortcut and first conv.
        QCOMPARE(zeros(r, "layer2.0.downsample.0.weight"), int64_t(4 * 32));
        QCOMPARE(zeros(r, "layer2.0.conv1.weight"), int64_t(4 * 32 * 9));
        QCOMPARE(zeros(r, "layer1.0.conv2.weight"), int64_t((8 * 16 + 4 * 16 - 4 * 8) * 9));
        QVERIFY(r.masks.find("layer2.0.bn1.weight") == nullptr);
    }

    void roundsKeptChannels()
    {
        auto net = create_model(default_model_spec("vgg-small"), 1);
        const auto r = pruner(*net, Granularity::Filter)
                           .allocate(AllocationOptions().default_rate(0.3).round_to(16));
        for (const auto& layer : r.layers)
            if (layer.pruned)
                QCOMPARE((layer.elements - layer.pruned_elements) % 16, int64_t(0));
    }

    void perRowRatesGiveEveryOutputTheSameShare()
    {
        auto net = create_model(default_model_spec("lenet300"), 1);
        const auto r = pruner(*net).allocate(AllocationOptions().default_rate(0.5).per_row(true));
        const auto fc1 = r.masks.find("fc1.weight")->to(at::kInt);
        QVERIFY(fc1.sum(1).eq(392).all().item<bool>()); // 784 inputs, half kept in each row
        QCOMPARE(zeros(r, "fc2.weight"), int64_t(100 * 150));
        // A global rate becomes the same per-row rate everywhere.
        const auto g = pruner(*net).allocate(AllocationOptions().global_rate(0.25).per_row(true));
        QVERIFY(g.masks.find("fc3.weight")->to(at::kInt).sum(1).eq(75).all().item<bool>());
        QVERIFY(errorOf([&] {
                    pruner(*net, Granularity::Neuron)
                        .allocate(AllocationOptions().default_rate(0.5).per_row(true));
                }).contains("single weights"));
    }

    void nOfMPatternInEveryLayerThatFits()
    {
        auto net = create_model(default_model_spec("lenet5"), 1);
        const auto r = pruner(*net).allocate(AllocationOptions().pattern(NmPattern{2, 4}));
        // conv1 reads 1 channel and conv2 6: no whole runs of 4, so they stay dense and say so.
        QVERIFY(r.masks.find("conv1.weight") == nullptr);
        QVERIFY(r.masks.find("conv2.weight") == nullptr);
        QCOMPARE(r.warnings.size(), size_t(2));
        QVERIFY(QString::fromStdString(r.warnings[1]).contains("'conv2' has 6 inputs"));
        for (const char* p : {"fc1.weight", "fc2.weight", "fc3.weight"}) {
            QVERIFY(satisfies_n_of_m(*r.masks.find(p), {2, 4}));
            QCOMPARE(r.masks.find(p)->sum().item<int64_t>() * 2, r.masks.find(p)->numel());
        }
        QCOMPARE(r.pruned_elements * 2, r.elements);
    }
};
QTEST_GUILESS_MAIN(TestAllocation)
#include "test_allocation.moc"
