// vit-tiny: the channel groups of a transformer (heads, MLP neurons, the fixed residual
// stream), head and neuron pruning, and compaction that removes heads for real.
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

std::shared_ptr<PrunableNet> vit()
{
    return create_model(default_model_spec("vit-tiny"), 3);
}

/// Prunes `rate` of every layer at `granularity` by l1, masks applied to the model.
AllocationResult prune(PrunableNet& net, Granularity granularity, double rate)
{
    const auto importance = compute_importance(
        net, nullptr, ImportanceOptions().criterion("l1").granularity(granularity));
    auto allocation = Pruner(net, importance).allocate(AllocationOptions().default_rate(rate));
    allocation.masks.apply_(net);
    return allocation;
}

int64_t zeroRows(const at::Tensor& weight)
{
    return weight.abs().amax(1).eq(0).sum().item<int64_t>();
}

at::Tensor parameter(PrunableNet& net, const std::string& name)
{
    return net.named_parameters()[name].detach();
}

} // namespace

class TestVit : public QObject
{
    Q_OBJECT
private slots:
    void headsAndNeuronsAreGroupsAndTheStreamIsFixed()
    {
        auto net = vit();
        const auto d = analyze_dependencies(*net);
        QVERIFY2(d.warnings.empty(), d.warnings.empty() ? "" : d.warnings.front().c_str());
        const ChannelGroup* heads = d.group_of("blocks.1.attn.q");
        QVERIFY(heads && heads->prunable);
        QCOMPARE(heads->channels, int64_t(4));
        QCOMPARE(heads->producer_block(), int64_t(16));
        QVERIFY(heads->has_producer("blocks.1.attn.k") && heads->has_producer("blocks.1.attn.v"));
        bool projReads = false;
        for (const auto& m : heads->members)
            projReads = projReads || (m.layer == "blocks.1.attn.proj" &&
                                      m.role == GroupMember::Role::Consumer && m.block == 16);
        QVERIFY(projReads);
        const ChannelGroup* mlp = d.group_of("blocks.1.mlp.fc1");
        QVERIFY(mlp && mlp->prunable);
        QCOMPARE(mlp->channels, int64_t(128));
        QCOMPARE(mlp->producer_block(), int64_t(1));
        // The residual stream: the patch embedding and every projection into it, fixed.
        const ChannelGroup* stream = d.group_of("patch_embed");
        QVERIFY(stream && !stream->prunable);
        QVERIFY(stream->has_producer("blocks.3.mlp.fc2") &&
                stream->has_producer("blocks.0.attn.proj"));
        QVERIFY2(QString::fromStdString(stream->reason).contains("LayerNorm"),
                 stream->reason.c_str());
    }

    void headGranularityPrunesWholeHeadsAndNeuronGranularityTheMlp()
    {
        auto net = vit();
        const auto heads = prune(*net, Granularity::Head, 0.25);
        // One head of four per block: 16 rows of q, k and v and 16 columns of proj.
        for (int b = 0; b < 4; ++b) {
            const std::string p = "blocks." + std::to_string(b) + ".attn.";
            for (const char* layer : {"q", "k", "v"})
                QCOMPARE(zeroRows(parameter(*net, p + layer + ".weight")), int64_t(16));
            const auto proj = parameter(*net, p + "proj.weight");
            QCOMPARE(zeroRows(proj.t()), int64_t(16));
            // The same head in all four: q's zero rows are k's and v's.
            QVERIFY(parameter(*net, p + "q.weight")
                        .abs()
                        .amax(1)
                        .eq(0)
                        .equal(parameter(*net, p + "v.weight").abs().amax(1).eq(0)));
            QCOMPARE(zeroRows(parameter(*net, "blocks." + std::to_string(b) + ".mlp.fc1.weight")),
                     int64_t(0));
        }
        auto other = vit();
        prune(*other, Granularity::Neuron, 0.5);
        QCOMPARE(zeroRows(parameter(*other, "blocks.2.mlp.fc1.weight")), int64_t(64));
        QCOMPARE(zeroRows(parameter(*other, "blocks.2.attn.q.weight")), int64_t(0));
        QCOMPARE(zeroRows(parameter(*other, "head.weight")), int64_t(0)); // the output
    }

    void compactionRemovesHeadsAndNeuronsWithOutputsUnchanged()
    {
        auto net = vit();
        MaskSet masks = prune(*net, Granularity::Head, 0.5).masks;
        const auto neurons = prune(*net, Granularity::Neuron, 0.5);
        for (const auto& [name, mask] : neurons.masks.masks())
            masks.intersect(name, mask);
        const auto result = compact(*net, masks);
        QVERIFY(result.changed());
        QVERIFY2(result.max_abs_diff < 1e-5, qPrintable(QString::number(result.max_abs_diff)));
        auto& small = *result.net;
        QCOMPARE(parameter(small, "blocks.0.attn.q.weight").size(0), int64_t(32)); // 2 heads
        QCOMPARE(parameter(small, "blocks.0.attn.proj.weight").size(1), int64_t(32));
        QCOMPARE(parameter(small, "blocks.3.mlp.fc1.weight").size(0), int64_t(64));
        QCOMPARE(parameter(small, "blocks.3.mlp.fc2.weight").size(1), int64_t(64));
        QVERIFY(result.params_after < result.params_before * 0.7);
        const auto x = at::randn({3, 1, 28, 28});
        at::NoGradGuard no_grad;
        net->eval();
        small.eval();
        QVERIFY(at::allclose(net->forward(x), small.forward(x), 1e-4, 1e-5));
    }

    void describesTokenLinearFlopsPerToken()
    {
        auto net = vit();
        const auto info = describe_model(*net);
        for (const auto& layer : info.layers)
            if (layer.name == "blocks.0.attn.q") {
                QCOMPARE(layer.output_shape, (std::vector<int64_t>{49, 64}));
                QCOMPARE(layer.flops, int64_t(49) * 64 * 64);
                return;
            }
        QFAIL("no blocks.0.attn.q in the description");
    }

    void activationScoresAreOneMeanPerNeuron()
    {
        auto net = vit();
        const auto data = test::smallSynthetic(64, 32).train;
        const auto importance = compute_importance(*net, &data,
                                                   ImportanceOptions()
                                                       .criterion("activation-abs")
                                                       .granularity(Granularity::Neuron)
                                                       .calibration_batches(2)
                                                       .batch(16));
        const auto* fc1 = importance.find("blocks.0.mlp.fc1");
        QVERIFY(fc1);
        QCOMPARE(fc1->scores.numel(), int64_t(128));
        const auto* q = importance.find("blocks.0.attn.q");
        QCOMPARE(q->scores.numel(), int64_t(4)); // one per head
        QVERIFY(fc1->scores.min().item<float>() > 0.0f);
    }
};

QTEST_GUILESS_MAIN(TestVit)
#include "test_vit.moc"
