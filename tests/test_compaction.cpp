#include "engine/compaction/compaction.h"
#include "engine/core/error.h"
#include "engine/interop/checkpoint.h"
#include "engine/models/dependency.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;
using prunelab::test::errorOf;
namespace test = prunelab::test;

namespace {

/// Prunes `rate` of every prunable channel group by l1 (filters, then neurons), with masks
/// applied to the model; returns the masks.
MaskSet pruneChannels(PrunableNet& net, double rate, int64_t roundTo = 0)
{
    MaskSet all;
    for (auto g : {Granularity::Filter, Granularity::Neuron}) {
        const auto importance =
            compute_importance(net, nullptr, ImportanceOptions().criterion("l1").granularity(g));
        Pruner pruner(net, importance);
        bool applies = false;
        for (size_t i = 0; i < importance.layers.size(); ++i)
            applies = applies || pruner.applies_to(i);
        if (!applies)
            continue;
        const auto allocation =
            pruner.allocate(AllocationOptions().default_rate(rate).round_to(roundTo));
        allocation.masks.apply_(net);
        for (const auto& [name, mask] : allocation.masks.masks())
            all.intersect(name, mask);
    }
    return all;
}

/// Non-trivial BatchNorm statistics, so a wrong channel would show in the outputs.
void randomizeNorms(PrunableNet& net)
{
    at::NoGradGuard no_grad;
    for (auto& item : net.named_buffers()) {
        if (item.key().find("running_mean") != std::string::npos)
            item.value().normal_(0.0, 0.5);
        if (item.key().find("running_var") != std::string::npos)
            item.value().uniform_(0.5, 2.0);
    }
}

const ChannelGroup* groupOf(const DependencyResult& d, const std::string& layer)
{
    return d.group_of(layer);
}

} // namespace

class TestCompaction : public QObject
{
    Q_OBJECT
private slots:
    void residualAdditionsTieAStageIntoOneGroup()
    {
        auto net = create_model(default_model_spec("resnet20"));
        const auto d = analyze_dependencies(*net);
        const ChannelGroup* stem = groupOf(d, "conv1");
        QVERIFY(stem);
        // The stem's channels are summed with every first-stage block's conv2.
        for (const char* layer : {"layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2"})
            QVERIFY(stem->has_producer(layer));
        QVERIFY(!stem->has_producer("layer2.0.conv2"));
        QCOMPARE(stem->leader(), std::string("conv1"));
        const ChannelGroup* stage2 = groupOf(d, "layer2.0.downsample.0");
        QVERIFY(stage2 && stage2->has_producer("layer2.2.conv2") && stage2->prunable);
        // A block's inner channels are its own: conv1 → bn1 → conv2's input.
        const ChannelGroup* inner = groupOf(d, "layer1.0.conv1");
        QCOMPARE(inner->producers().size(), size_t(1));
        bool readByConv2 = false, normed = false;
        for (const auto& m : inner->members) {
            readByConv2 |= m.role == GroupMember::Role::Consumer && m.layer == "layer1.0.conv2";
            normed |= m.role == GroupMember::Role::Norm && m.layer == "layer1.0.bn1";
        }
        QVERIFY(readByConv2 && normed);
        // The classifier's outputs are the classes.
        QVERIFY(!groupOf(d, "fc")->prunable);
        QCOMPARE(groupOf(d, "fc")->reason, std::string("model output"));
        QVERIFY(d.warnings.empty());
    }

    void flattenGivesEachChannelItsBlockOfFeatures()
    {
        auto net = create_model(default_model_spec("convnet"));
        const auto d = analyze_dependencies(*net);
        const ChannelGroup* conv2 = groupOf(d, "conv2");
        const auto consumer = std::find_if(conv2->members.begin(), conv2->members.end(),
                                           [](const GroupMember& m) { return m.layer == "fc1"; });
        QVERIFY(consumer != conv2->members.end());
        QCOMPARE(consumer->block, int64_t(16)); // 4×4 positions per channel
    }

    void unsupportedOpLeavesItsGroupIntactAndWarns()
    {
        ChannelGraph g;
        const int a = g.layer("a", g.input());
        const int b = g.layer("b", g.opaque("aten::pixel_shuffle", {a}));
        g.output(g.layer("out", g.global_pool(g.layer("c", b))));
        const auto d = analyze_channel_graph(g, 3, [](const std::string& name) {
            return LayerShape{name == "out" ? 10 : 8, name == "a" ? 3 : 8, name != "out"};
        });
        QVERIFY(!d.group_of("a")->prunable);
        QVERIFY(d.group_of("b")->prunable);
        QVERIFY(d.group_of("c")->prunable);
        QCOMPARE(d.warnings.size(), size_t(1));
        QVERIFY(QString::fromStdString(d.warnings[0]).contains("aten::pixel_shuffle"));
        QVERIFY(QString::fromStdString(d.warnings[0]).contains("'a'"));
    }

    void concatenationOffsetsConsumers()
    {
        ChannelGraph g;
        const int a = g.layer("a", g.input());
        const int b = g.layer("b", g.input());
        g.output(g.layer("out", g.global_pool(g.layer("c", g.cat({a, b})))));
        const auto d = analyze_channel_graph(g, 3, [](const std::string& name) {
            if (name == "a")
                return LayerShape{4, 3, true};
            if (name == "b")
                return LayerShape{6, 3, true};
            return name == "c" ? LayerShape{5, 10, true} : LayerShape{2, 5, false};
        });
        for (const auto& [layer, offset] : {std::pair{"a", 0}, std::pair{"b", 4}}) {
            const auto& members = d.group_of(layer)->members;
            const auto c = std::find_if(members.begin(), members.end(),
                                        [](const GroupMember& m) { return m.layer == "c"; });
            QVERIFY(c != members.end());
            QCOMPARE(c->offset, int64_t(offset));
        }
    }

    void groupPruningMasksEveryMemberTogether()
    {
        auto net = create_model(default_model_spec("resnet20"), 2);
        const auto importance = compute_importance(
            *net, nullptr, ImportanceOptions().criterion("l1").granularity(Granularity::Filter));
        // Coupled layers share their group's scores.
        QVERIFY(
            at::equal(importance.find("conv1")->scores, importance.find("layer1.2.conv2")->scores));
        QCOMPARE(importance.find("layer1.2.conv2")->group_leader, std::string("conv1"));
        Pruner pruner(*net, importance);
        QVERIFY(!pruner.applies_to(pruner.layer_index("layer1.2.conv2")));
        const auto r = pruner.allocate(AllocationOptions().default_rate(0.5));
        const auto stem = r.masks.find("conv1.weight")->flatten(1).any(1);
        for (const char* layer : {"layer1.0.conv2.weight", "layer1.1.conv2.weight", "bn1.weight"})
            QVERIFY(at::equal(r.masks.find(layer)->reshape({16, -1}).any(1), stem));
        // ... and the consumers' input columns: layer1.0.conv1 reads the stem's stream.
        QVERIFY(at::equal(r.masks.find("layer1.0.conv1.weight")->transpose(0, 1).flatten(1).any(1),
                          stem));
        QCOMPARE(stem.sum().item<int64_t>(), int64_t(8));
    }

    void groupReductionSumsOrAverages()
    {
        auto net = create_model(default_model_spec("resnet20"), 2);
        auto options = ImportanceOptions().criterion("l1").granularity(Granularity::Filter);
        const auto mean = compute_importance(*net, nullptr, options);
        const auto sum = compute_importance(*net, nullptr, options.group_reduction("sum"));
        // conv1's group: the stem and the three first-stage blocks' conv2.
        QVERIFY(test::allClose(sum.find("conv1")->scores, mean.find("conv1")->scores * 4, 1e-4));
        // A layer alone in its group keeps its own scores either way.
        QVERIFY(at::equal(sum.find("layer1.0.conv1")->scores, mean.find("layer1.0.conv1")->scores));
        QVERIFY(errorOf([&] {
                    compute_importance(*net, nullptr, options.group_reduction("max"));
                }).contains("max"));
    }

    void compactedModelsComputeTheMaskedOutputs_data()
    {
        QTest::addColumn<QString>("model");
        for (const auto& name : builtin_model_names())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void compactedModelsComputeTheMaskedOutputs()
    {
        QFETCH(QString, model);
        auto spec = default_model_spec(model.toStdString());
        if (spec.name == "resnet18")
            spec.input_shape = {3, 64, 64}; // same layers, a quarter of the time
        auto net = create_model(spec, 5);
        randomizeNorms(*net);
        const auto masks = pruneChannels(*net, 0.5);
        const auto result = compact(*net, masks);
        QVERIFY(result.changed());
        QVERIFY(result.params_after < result.params_before);
        QVERIFY2(result.max_abs_diff <= 1e-4, std::to_string(result.max_abs_diff).c_str());
        // Independently of compact()'s own check: a fresh input, train-mode flags untouched.
        at::NoGradGuard no_grad;
        net->eval();
        result.net->eval();
        std::vector<int64_t> shape = {3};
        shape.insert(shape.end(), spec.input_shape.begin(), spec.input_shape.end());
        const auto x = at::rand(shape) * 3;
        QVERIFY(prunelab::test::allClose(net->forward(x), result.net->forward(x), 1e-4));
        // Every non-output layer lost channels.
        for (const auto& g : result.groups)
            QVERIFY(g.channels_after < g.channels_before);
        // The smaller model round-trips through a checkpoint (its widths are in its spec).
        QTemporaryDir dir;
        const std::string path = dir.filePath("small.pt").toStdString();
        save_checkpoint({result.net, result.masks.to_bool(), {}}, path);
        const auto loaded = load_checkpoint(path);
        loaded.net->eval();
        QVERIFY(prunelab::test::allClose(loaded.net->forward(x), result.net->forward(x), 0));
    }

    void roundingKeepsMultiplesOfEight()
    {
        auto net = create_model(default_model_spec("vgg-small"), 5);
        const auto masks = pruneChannels(*net, 0.3, 8);
        const auto result = compact(*net, masks);
        QCOMPARE(result.groups.size(), size_t(5)); // every conv group shrank
        for (const auto& g : result.groups)
            QCOMPARE(g.channels_after % 8, int64_t(0));
    }

    void weightSparsityLeftOverIsKeptInTheMasks()
    {
        auto net = create_model(default_model_spec("convnet"), 5);
        auto masks = pruneChannels(*net, 0.5);
        const auto importance =
            compute_importance(*net, nullptr, ImportanceOptions().criterion("l1"));
        const auto weights =
            Pruner(*net, importance).allocate(AllocationOptions().global_rate(0.8));
        weights.masks.apply_(*net);
        for (const auto& [name, mask] : weights.masks.masks())
            masks.intersect(name, mask);
        const auto result = compact(*net, masks);
        const at::Tensor* fc1 = result.masks.find("fc1.weight");
        QVERIFY(fc1);
        QCOMPARE(fc1->sizes().vec(), (std::vector<int64_t>{25, 160}));
        QVERIFY(fc1->logical_not().any().item<bool>());
        result.masks.apply_(*result.net); // shapes fit the new model
    }

    void unprunedModelIsANoOpWithANote()
    {
        auto net = create_model(default_model_spec("resnet20"), 1);
        const auto result = compact(*net);
        QVERIFY(!result.changed());
        QCOMPARE(result.notes.size(), size_t(1));
        QVERIFY(QString::fromStdString(result.notes[0]).startsWith("nothing to remove"));
    }

    void perLayerPruningOfCoupledLayersIsExplained()
    {
        auto net = create_model(default_model_spec("resnet20"), 1);
        {
            at::NoGradGuard no_grad;
            net->named_parameters()["layer1.0.conv2.weight"][3].zero_(); // only one producer
        }
        const auto result = compact(*net);
        QVERIFY(!result.changed());
        QVERIFY(result.notes.size() == 2);
        QVERIFY(QString::fromStdString(result.notes[0]).contains("some of their layers"));
    }
};

QTEST_APPLESS_MAIN(TestCompaction)
#include "test_compaction.moc"
