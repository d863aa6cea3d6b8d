#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/training/data_parallel.h"
#include "engine/training/trainer.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>

using namespace prunelab;

namespace {

TrainOptions quick(int epochs = 2)
{
    return TrainOptions().epochs(epochs).batch(32).lr(3e-3).seed(11);
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT
private slots:
    void trainingImprovesAccuracy()
    {
        const auto data = test::smallSynthetic(512, 256);
        auto net = create_model(default_model_spec("convnet"), 1);
        const double before = evaluate(*net, data.test).accuracy;
        const auto result = train(*net, data.train, &data.test, quick(3));
        QCOMPARE(result.epochs.size(), size_t(3));
        QVERIFY(!result.cancelled);
        QCOMPARE(result.samples_seen, int64_t(3 * 512));
        const double after = evaluate(*net, data.test).accuracy;
        QVERIFY2(after > 0.9 && after > before + 0.3,
                 qPrintable(QString("before %1 after %2").arg(before).arg(after)));
        QCOMPARE(result.epochs.back().eval_accuracy, after);
        QVERIFY(result.epochs.back().train_loss < result.epochs.front().train_loss);
    }

    void sameSeedSameWeights()
    {
        const auto data = test::smallSynthetic(256, 64);
        auto a = create_model(default_model_spec("lenet5"), 2);
        auto b = create_model(default_model_spec("lenet5"), 2);
        train(*a, data.train, nullptr, quick(1).threads(2));
        train(*b, data.train, nullptr, quick(1).threads(2));
        for (size_t i = 0; i < a->parameters().size(); ++i)
            QVERIFY(a->parameters()[i].equal(b->parameters()[i]));
        auto c = create_model(default_model_spec("lenet5"), 2);
        train(*c, data.train, nullptr, quick(1).threads(2).seed(99));
        QVERIFY(!a->parameters()[0].equal(c->parameters()[0]));
    }

    void dataParallelMatchesSingleThreadedGradient()
    {
        const auto data = test::smallSynthetic(64, 8);
        auto net = create_model(default_model_spec("convnet"), 3);
        auto single = replicate(*net);
        DataParallelStep two(*net, 2);
        DataParallelStep one(*single, 1);
        const auto images = data.train.images.slice(0, 0, 64);
        const auto labels = data.train.labels.slice(0, 0, 64);
        const auto r2 = two.step(*net, images, labels);
        const auto r1 = one.step(*single, images, labels);
        QVERIFY(std::abs(r2.loss - r1.loss) < 1e-5);
        QCOMPARE(r2.correct, r1.correct);
        for (size_t i = 0; i < net->parameters().size(); ++i)
            QVERIFY(
                test::allClose(net->parameters()[i].grad(), single->parameters()[i].grad(), 1e-5));
    }

    void cancelStopsAndKeepsModelUsable()
    {
        const auto data = test::smallSynthetic(512, 64);
        auto net = create_model(default_model_spec("convnet"), 1);
        std::atomic<bool> cancel{false};
        int64_t batchesSeen = 0;
        const auto result = train(
            *net, data.train, &data.test, quick(5),
            [&](const TrainProgress& p) {
                batchesSeen = (p.epoch - 1) * p.batches + p.batch;
                if (p.epoch == 2 && p.batch == 3)
                    cancel = true;
            },
            &cancel);
        QVERIFY(result.cancelled);
        QCOMPARE(result.epochs.size(), size_t(1));
        QCOMPARE(batchesSeen, int64_t(16 + 3));
        const auto eval = evaluate(*net, data.test);
        QVERIFY(std::isfinite(eval.loss));
    }

    void progressReportsFractionAndEta()
    {
        const auto data = test::smallSynthetic(128, 32);
        auto net = create_model(default_model_spec("lenet300"), 1);
        std::vector<TrainProgress> reports;
        train(*net, data.train, nullptr, quick(2),
              [&](const TrainProgress& p) { reports.push_back(p); });
        QCOMPARE(reports.size(), size_t(8));
        QCOMPARE(reports.back().fraction(), 1.0);
        QCOMPARE(reports[3].fraction(), 0.5);
        QVERIFY(reports.front().eta_seconds >= 0.0);
    }

    void afterStepHookRunsEveryStep()
    {
        const auto data = test::smallSynthetic(96, 32);
        auto net = create_model(default_model_spec("convnet"), 1);
        int calls = 0;
        // The hook holds conv1's first filter at zero, as pruning masks will.
        auto hook = [&](PrunableNet& model) {
            ++calls;
            at::NoGradGuard no_grad;
            model.named_parameters()["conv1.weight"][0].zero_();
        };
        train(*net, data.train, nullptr, quick(1), {}, nullptr, {{}, hook});
        QCOMPARE(calls, 3);
        QCOMPARE(net->named_parameters()["conv1.weight"][0].abs().sum().item<double>(), 0.0);
    }

    void rejectsBadOptionsAndShapes()
    {
        const auto data = test::smallSynthetic(32, 8);
        auto net = create_model(default_model_spec("convnet"), 1);
        const auto before = net->parameters()[0].clone();
        QVERIFY_THROWS_EXCEPTION(Error, train(*net, data.train, nullptr, quick().lr(-1)));
        QVERIFY_THROWS_EXCEPTION(Error, train(*net, data.train, nullptr, quick().lr(NAN)));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 train(*net, data.train, nullptr, quick().optimizer("lbfgs")));
        QVERIFY_THROWS_EXCEPTION(Error, train(*net, data.train, nullptr, quick().batch(0)));
        QVERIFY(net->parameters()[0].equal(before)); // nothing trained on a rejected call

        const auto cifarLike = test::smallSynthetic(32, 8, 3, 32);
        try {
            evaluate(*net, cifarLike.test);
            QFAIL("a 3×32×32 data set was accepted by a 1×28×28 model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("3×32×32"), e.what());
            QVERIFY2(QString(e.what()).contains("1×28×28"), e.what());
        }
    }

    void divergenceIsReportedNotHidden()
    {
        const auto data = test::smallSynthetic(64, 8);
        auto net = create_model(default_model_spec("lenet300"), 1);
        try {
            train(*net, data.train, nullptr,
                  quick(3).optimizer("sgd").lr(1e12).lr_schedule("constant"));
            QFAIL("a learning rate of 1e12 did not diverge");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("diverged"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
