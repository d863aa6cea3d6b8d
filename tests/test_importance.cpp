#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/importance.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

class TestImportance : public QObject
{
    Q_OBJECT
    DataSplits m_data = test::smallSynthetic(128, 32);

private slots:
    void everyCriterionAndGranularity_data()
    {
        QTest::addColumn<QString>("criterion");
        QTest::addColumn<QString>("granularity");
        for (const auto& c : criterion_names())
            for (const char* g : {"weight", "neuron", "filter"}) {
                if (g == std::string("weight") && (c == "activation" || c == "activation-abs"))
                    continue;
                if (g != std::string("weight") && c == "wanda")
                    continue;
                QTest::newRow((c + "/" + g).c_str()) << QString::fromStdString(c) << QString(g);
            }
    }

    void everyCriterionAndGranularity()
    {
        QFETCH(QString, criterion);
        QFETCH(QString, granularity);
        auto net = create_model(default_model_spec("convnet"), 1);
        const auto before = net->parameters()[0].clone();
        const auto options = ImportanceOptions()
                                 .criterion(criterion.toStdString())
                                 .granularity(parse_granularity(granularity.toStdString()))
                                 .calibration_batches(2)
                                 .batch(32);
        int reports = 0;
        const auto result =
            compute_importance(*net, &m_data.train, options, [&](int, int) { ++reports; });
        QCOMPARE(result.layers.size(), size_t(4));
        const bool unit = granularity != "weight";
        for (const auto& layer : result.layers) {
            const auto weight = net->named_parameters()[layer.layer + ".weight"];
            if (unit)
                QCOMPARE(layer.scores.sizes().vec(), (std::vector<int64_t>{weight.size(0)}));
            else
                QCOMPARE(layer.scores.sizes(), weight.sizes());
            QVERIFY(at::isfinite(layer.scores).all().item<bool>());
            if (criterion != "activation")
                QVERIFY(layer.scores.min().item<float>() >= 0.0f);
            // Data-driven scores must actually depend on the data: not all equal.
            QVERIFY2(layer.scores.max().item<float>() > layer.scores.min().item<float>(),
                     layer.layer.c_str());
        }
        QCOMPARE(result.layers.back().structurally_prunable, !unit);
        QCOMPARE(reports, criterion_needs_data(criterion.toStdString()) ? 2 : 0);
        QVERIFY(net->parameters()[0].equal(before)); // scoring never changes weights
        QVERIFY(!net->parameters()[0].grad().defined());
    }

    void magnitudeScoresAreTheWeights()
    {
        auto net = create_model(default_model_spec("lenet300"), 2);
        const auto weight = net->named_parameters()["fc2.weight"];
        const auto l1 = compute_importance(*net, nullptr, ImportanceOptions());
        QVERIFY(test::allClose(l1.find("fc2")->scores, weight.abs()));
        const auto rows = compute_importance(
            *net, nullptr, ImportanceOptions().criterion("l2").granularity(Granularity::Neuron));
        QVERIFY(test::allClose(rows.find("fc2")->scores, weight.pow(2).sum(1).sqrt(), 1e-5));
    }

    void activationMeansFollowTheLayerOutput()
    {
        auto net = create_model(default_model_spec("lenet300"), 2);
        const auto calibration = m_data.train.head(64);
        const auto result = compute_importance(*net, &calibration,
                                               ImportanceOptions()
                                                   .criterion("activation-abs")
                                                   .granularity(Granularity::Neuron)
                                                   .batch(64)
                                                   .calibration_batches(1));
        at::NoGradGuard no_grad;
        auto fc1 = net->named_modules()["fc1"]->as<torch::nn::Linear>();
        auto expected = fc1->forward(calibration.images.flatten(1)).abs().mean(0);
        expected = expected / expected.norm();
        QVERIFY(test::allClose(result.find("fc1")->scores, expected, 1e-5));
    }

    void taylorIsWeightTimesGradient()
    {
        auto net = create_model(default_model_spec("lenet300"), 2);
        const auto calibration = m_data.train.head(32);
        const auto options = ImportanceOptions().batch(32).calibration_batches(1);
        const auto grad = compute_importance(*net, &calibration,
                                             ImportanceOptions(options).criterion("gradient"));
        const auto taylor =
            compute_importance(*net, &calibration, ImportanceOptions(options).criterion("taylor"));
        const auto weight = net->named_parameters()["fc1.weight"];
        // Per-layer normalization rescales both; their direction agrees.
        auto expected = grad.find("fc1")->scores * weight.abs();
        expected = expected / expected.norm();
        QVERIFY(test::allClose(taylor.find("fc1")->scores, expected, 1e-6));
        QVERIFY(std::abs(taylor.find("fc1")->scores.norm().item<double>() - 1.0) < 1e-5);
    }

    void wandaIsWeightTimesInputNorm()
    {
        const auto calibration = m_data.train.head(48);
        const auto options =
            ImportanceOptions().criterion("wanda").batch(16).calibration_batches(3);
        auto mlp = create_model(default_model_spec("lenet300"), 2);
        const auto result = compute_importance(*mlp, &calibration, options);
        // fc1 reads the flattened image: input j's norm over the 48 samples.
        auto expected = mlp->named_parameters()["fc1.weight"].detach().abs() *
                        calibration.images.flatten(1).pow(2).sum(0).sqrt().unsqueeze(0);
        expected = expected / expected.norm();
        QVERIFY(test::allClose(result.find("fc1")->scores, expected, 1e-5));
        // A convolution: input channel c's norm over samples and positions, for all its taps.
        auto conv = create_model(default_model_spec("convnet"), 2);
        const auto convScores = compute_importance(*conv, &calibration, options);
        auto convExpected = conv->named_parameters()["conv1.weight"].detach().abs() *
                            calibration.images.pow(2).sum().sqrt();
        convExpected = convExpected / convExpected.norm();
        QVERIFY(test::allClose(convScores.find("conv1")->scores, convExpected, 1e-5));
        // Wanda scores weights, not units; data is required.
        QVERIFY(test::errorOf([&] {
                    compute_importance(*mlp, &calibration,
                                       ImportanceOptions(options).granularity(Granularity::Neuron));
                }).contains("single weights"));
        QVERIFY(test::errorOf([&] {
                    compute_importance(*mlp, nullptr, options);
                }).contains("calibration"));
    }

    void randomIsSeeded()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        const auto a =
            compute_importance(*net, nullptr, ImportanceOptions().criterion("random").seed(4));
        const auto b =
            compute_importance(*net, nullptr, ImportanceOptions().criterion("random").seed(4));
        const auto c =
            compute_importance(*net, nullptr, ImportanceOptions().criterion("random").seed(5));
        QVERIFY(a.layers[1].scores.equal(b.layers[1].scores));
        QVERIFY(!a.layers[1].scores.equal(c.layers[1].scores));
    }

    void clearErrors()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        auto message = [&](const ImportanceOptions& o, const Dataset* d) {
            try {
                compute_importance(*net, d, o);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString();
        };
        QVERIFY(message(ImportanceOptions().criterion("fpgmx"), nullptr)
                    .contains("unknown criterion 'fpgmx'"));
        QVERIFY(message(ImportanceOptions().criterion("activation"), &m_data.train)
                    .contains("not single weights"));
        QVERIFY(message(ImportanceOptions().criterion("gradient"), nullptr)
                    .contains("needs calibration data"));
        const auto wrongShape = test::smallSynthetic(16, 8, 3, 32);
        QVERIFY(message(ImportanceOptions().criterion("taylor"), &wrongShape.train)
                    .contains("3×32×32"));
        {
            at::NoGradGuard no_grad;
            net->named_parameters()["fc1.weight"][0][0] = NAN;
        }
        QVERIFY(message(ImportanceOptions(), nullptr).contains("non-finite"));
    }

    void cancelStopsScoring()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        std::atomic<bool> cancel{true};
        const auto result = compute_importance(
            *net, &m_data.train, ImportanceOptions().criterion("gradient"), {}, &cancel);
        QVERIFY(result.cancelled);
        QVERIFY(result.layers.empty());
    }
};

QTEST_GUILESS_MAIN(TestImportance)
#include "test_importance.moc"
