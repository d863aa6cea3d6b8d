#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/models/models.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

namespace {

std::vector<std::string> parameterNames(PrunableNet& net)
{
    std::vector<std::string> names;
    for (const auto& item : net.named_parameters(true))
        names.push_back(item.key());
    return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void everyBuiltinRunsItsDeclaredInput_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qlonglong>("params");
        // Parameter counts of the equivalent PyTorch classes (torchvision's for resnet18).
        QTest::newRow("convnet") << "convnet" << 21840LL;
        QTest::newRow("lenet300") << "lenet300" << 266610LL;
        QTest::newRow("lenet5") << "lenet5" << 61706LL;
        QTest::newRow("resnet20") << "resnet20" << 272474LL;
        QTest::newRow("resnet18") << "resnet18" << 11689512LL;
        QTest::newRow("vit-tiny") << "vit-tiny" << 138890LL;
        QTest::newRow("lstm") << "lstm" << 82186LL;
        QTest::newRow("gru") << "gru" << 61962LL;
    }

    void everyBuiltinRunsItsDeclaredInput()
    {
        QFETCH(QString, name);
        QFETCH(qlonglong, params);
        auto spec = default_model_spec(name.toStdString());
        if (name == "resnet18")
            spec.input_shape = {3, 64, 64}; // adaptive pooling; keeps the test fast
        auto net = create_model(spec, 1);
        std::vector<int64_t> input = {2};
        input.insert(input.end(), spec.input_shape.begin(), spec.input_shape.end());
        net->eval();
        const auto out = net->forward(at::randn(input));
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{2, spec.num_classes}));
        const auto info = describe_model(*net);
        QCOMPARE(qlonglong(info.total_params), params);
        // Every model create_model builds is one MODEL may name.
        QVERIFY(is_builtin_model(name.toStdString()));
    }

    void vggSmallHasTorchvisionStyleNames()
    {
        auto net = create_model(default_model_spec("vgg-small"));
        const auto names = parameterNames(*net);
        QVERIFY(contains(names, "features.0.weight"));
        std::vector<std::string> buffers;
        for (const auto& item : net->named_buffers(true))
            buffers.push_back(item.key());
        QVERIFY(contains(buffers, "features.1.running_mean")); // BatchNorm statistics
        QVERIFY(contains(names, "features.1.weight"));         // BatchNorm gamma
        QVERIFY(contains(names, "classifier.weight"));
        const auto info = describe_model(*net);
        QCOMPARE(info.layers.size(), size_t(6)); // 5 convs + classifier
        QCOMPARE(info.layers.front().output_shape, (std::vector<int64_t>{64, 32, 32}));
    }

    void resnetNamesMatchTorchvision()
    {
        auto net = create_model(default_model_spec("resnet18"));
        const auto names = parameterNames(*net);
        for (const char* expected :
             {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
              "layer2.0.downsample.1.bias", "layer4.1.bn2.weight", "fc.weight", "fc.bias"})
            QVERIFY2(contains(names, expected), expected);
        QVERIFY(!contains(names, "layer1.0.downsample.0.weight"));
    }

    void convnetFlopsMatchHandCount()
    {
        auto net = create_model(default_model_spec("convnet"));
        const auto info = describe_model(*net);
        QCOMPARE(info.layers.size(), size_t(4));
        // conv1: 10 filters × 25 weights × 24×24 positions; conv2: 20×250 × 8×8.
        QCOMPARE(info.layers[0].flops, int64_t(10 * 25 * 24 * 24));
        QCOMPARE(info.layers[1].flops, int64_t(20 * 250 * 8 * 8));
        QCOMPARE(info.layers[2].flops, int64_t(320 * 50));
        QCOMPARE(info.layers[1].weight_shape, (std::vector<int64_t>{20, 10, 5, 5}));
        QCOMPARE(info.sparsity(), 0.0);
    }

    void sparsityAndEffectiveFlopsFollowZeros()
    {
        auto net = create_model(default_model_spec("convnet"));
        {
            at::NoGradGuard no_grad;
            auto weight = net->named_parameters()["conv2.weight"];
            weight.slice(0, 0, 10).zero_(); // half of conv2's filters
        }
        const auto info = describe_model(*net);
        QCOMPARE(info.layers[1].sparsity(), 0.5);
        QCOMPARE(info.layers[1].effective_flops, info.layers[1].flops / 2);
        QCOMPARE(info.nonzero_weights, info.prunable_weights - 2500);
    }

    void describeRestoresTrainingFlag()
    {
        auto net = create_model(default_model_spec("resnet20"));
        net->train();
        describe_model(*net);
        QVERIFY(net->is_training());
    }

    void adaptsToOtherInputs()
    {
        auto net = create_model({"convnet", {3, 32, 32}, 10});
        QCOMPARE(net->forward(at::randn({1, 3, 32, 32})).size(1), 10);
        QCOMPARE(describe_model(*net).layers[2].weight_shape, (std::vector<int64_t>{50, 500}));
    }

    void rejectsUnknownModelsAndBadShapes()
    {
        try {
            default_model_spec("alexnet");
            QFAIL("alexnet was accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("unknown model 'alexnet'"));
            QVERIFY(QString(e.what()).contains("resnet20"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, create_model({"convnet", {1, 8, 8}, 10}));
        QVERIFY_THROWS_EXCEPTION(Error, create_model({"lenet5", {1, 28}, 10}));
    }

    void seedMakesInitializationReproducible()
    {
        auto a = create_model(default_model_spec("lenet5"), 4);
        auto b = create_model(default_model_spec("lenet5"), 4);
        auto c = create_model(default_model_spec("lenet5"), 5);
        QVERIFY(a->parameters()[0].equal(b->parameters()[0]));
        QVERIFY(!a->parameters()[0].equal(c->parameters()[0]));
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "test_models.moc"
