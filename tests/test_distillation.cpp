// Knowledge distillation: the loss against hand-computed values, its edges, and the trainer
// around it (masks held, cancel, mismatched outputs).

#include "engine/models/model_factory.h"
#include "engine/models/models.h"
#include "engine/pruning/mask_set.h"
#include "engine/pruning/pruning_job.h"
#include "engine/training/distillation.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>

using namespace prunelab;

namespace {

at::Tensor tensor2d(std::vector<float> values, int64_t rows)
{
    return at::tensor(values).reshape({rows, int64_t(values.size()) / rows});
}

} // namespace

class TestDistillation : public QObject
{
    Q_OBJECT
private slots:
    void lossMatchesAHandComputedValue()
    {
        // Two samples, three classes, T = 2, α = 0.5; expected values from the formula
        // T²·Σ p_t (log p_t − log p_s) / n and −log softmax(s)_y / n, computed separately.
        const auto s = tensor2d({1, 2, 3, 0.5f, -1, 2}, 2);
        const auto t = tensor2d({3, 2, 1, 1, 1, -2}, 2);
        const auto y = at::tensor(std::vector<int64_t>{0, 2});
        const auto loss = distillation_loss(s, t, y, 2.0, 0.5, 2);
        QVERIFY(std::abs(loss.kd - 1.8215027390986598) < 1e-5);
        QVERIFY(std::abs(loss.ce - 1.3244586305507686) < 1e-5);
        QVERIFY(std::abs(loss.total.item<double>() - 1.572980684824714) < 1e-5);
    }

    void edgeValuesOfTemperatureAndAlpha()
    {
        const auto s = tensor2d({0.2f, -1, 3, 1, 1, 0}, 2);
        const auto t = tensor2d({2, 0, 1, -1, 3, 0.5f}, 2);
        const auto y = at::tensor(std::vector<int64_t>{2, 0});
        const double ce = at::cross_entropy_loss(s, y).item<double>();
        // α = 0: plain cross-entropy, whatever T.
        QVERIFY(std::abs(distillation_loss(s, t, y, 7.0, 0.0, 2).total.item<double>() - ce) < 1e-6);
        // α = 1: the distillation term only; zero when student and teacher agree.
        const auto same = distillation_loss(t, t, y, 3.0, 1.0, 2);
        QVERIFY(std::abs(same.total.item<double>()) < 1e-6);
        QVERIFY(distillation_loss(s, t, y, 3.0, 1.0, 2).total.item<double>() > 0.0);
        // T² keeps the term's size comparable across temperatures (Hinton et al.): at a high T
        // the scaled KL tends to the mean squared logit difference / C (centred), not to 0.
        const double high = distillation_loss(s, t, y, 1000.0, 1.0, 2).kd;
        QVERIFY(high > 0.05 && high < 10.0);
        // Bad values are errors, not NaN.
        QVERIFY(test::errorOf([&] {
                    distillation_loss(s, t, y, 0.0, 0.5, 2);
                }).contains("temperature"));
        QVERIFY(test::errorOf([&] {
                    distillation_loss(s, t, y, -1.0, 0.5, 2);
                }).contains("temperature"));
        QVERIFY(test::errorOf([&] { distillation_loss(s, t, y, 2.0, 1.5, 2); }).contains("alpha"));
        QVERIFY(test::errorOf([&] {
                    distillation_loss(s, t, y, 2.0, std::nan(""), 2);
                }).contains("alpha"));
        QVERIFY(test::errorOf([&] {
                    distillation_loss(s, tensor2d({1, 2}, 2), y, 2.0, 0.5, 2);
                }).contains("teacher outputs"));
    }

    void gradientFlowsToTheStudentOnly()
    {
        auto s = tensor2d({1, 2, 3, 0.5f, -1, 2}, 2).requires_grad_(true);
        auto t = tensor2d({3, 2, 1, 1, 1, -2}, 2).requires_grad_(true);
        const auto y = at::tensor(std::vector<int64_t>{0, 2});
        distillation_loss(s, t, y, 2.0, 0.7, 2).total.backward();
        QVERIFY(s.grad().defined() && s.grad().abs().sum().item<double>() > 0.0);
        QVERIFY(!t.grad().defined()); // the teacher is frozen
    }

    void prunedStudentKeepsItsZeros()
    {
        const DataSplits data = test::smallSynthetic(256, 128);
        auto teacher = create_model(default_model_spec("convnet"), 3);
        train(*teacher, data.train, nullptr, TrainOptions().epochs(2).seed(3));
        auto student = create_model(default_model_spec("convnet"), 4);
        MaskSet masks;
        for (const auto& layer : prunable_layers(*student))
            masks.set(layer.name + ".weight", at::rand(layer.weight.sizes()).gt(0.6));
        masks.apply_(*student);
        DistillOptions options;
        options.train.epochs(2).seed(5);
        const auto result = distill(*teacher, *student, data.train, &data.test, options, {},
                                    nullptr, hold_masks(masks));
        QCOMPARE(result.training.epochs.size(), size_t(2));
        for (const auto& e : result.training.epochs) {
            QVERIFY(std::isfinite(e.kd_loss) && std::isfinite(e.ce_loss));
            QVERIFY(e.eval_accuracy >= 0.0);
        }
        for (const auto& layer : prunable_layers(*student)) {
            const auto& keep = *masks.find(layer.name + ".weight");
            QCOMPARE(layer.weight.masked_select(keep.logical_not()).abs().sum().item<double>(),
                     0.0);
            QVERIFY(layer.weight.masked_select(keep).abs().sum().item<double>() > 0.0);
        }
    }

    void studentLearnsFromTheTeacher()
    {
        // On a learnable synthetic set the student moves towards the teacher: the distillation
        // term falls epoch by epoch and accuracy is far above chance (accuracy claims on real
        // data are bench/distillation.sh's).
        const DataSplits data = test::smallSynthetic(512, 256);
        auto teacher = create_model(default_model_spec("convnet"), 3);
        const auto taught =
            train(*teacher, data.train, &data.test, TrainOptions().epochs(4).seed(3));
        auto student = create_model(default_model_spec("convnet-small"), 4);
        DistillOptions options;
        options.train.epochs(4).seed(6);
        const auto result = distill(*teacher, *student, data.train, &data.test, options);
        QCOMPARE(result.teacher_accuracy, taught.epochs.back().eval_accuracy);
        const double learned = result.training.epochs.back().eval_accuracy;
        qInfo("teacher %.3f, student %.3f", result.teacher_accuracy, learned);
        QVERIFY2(learned > 0.3, std::to_string(learned).c_str());
        const auto& epochs = result.training.epochs;
        QVERIFY(epochs.back().kd_loss < 0.8 * epochs.front().kd_loss);
    }

    void cancelMidEpochLeavesAUsableStudent()
    {
        const DataSplits data = test::smallSynthetic(512, 128);
        auto teacher = create_model(default_model_spec("convnet"), 3);
        auto student = create_model(default_model_spec("convnet-small"), 4);
        std::atomic<bool> cancel{false};
        DistillOptions options;
        options.train.epochs(3).batch(32);
        int batches = 0;
        const auto result = distill(
            *teacher, *student, data.train, &data.test, options,
            [&](const TrainProgress&) {
                if (++batches == 5)
                    cancel = true;
            },
            &cancel);
        QVERIFY(result.training.cancelled);
        QVERIFY(result.training.epochs.empty());
        for (const auto& p : student->parameters())
            QVERIFY(at::isfinite(p).all().item<bool>());
        const auto eval = evaluate(*student, data.test);
        QVERIFY(eval.accuracy >= 0.0 && std::isfinite(eval.loss));
    }

    void mismatchedOutputsAreAClearError()
    {
        const DataSplits data = test::smallSynthetic(64, 32);
        auto teacher = create_model({"convnet", {1, 28, 28}, 12}, 1);
        auto student = create_model(default_model_spec("convnet-small"), 1);
        const QString error = test::errorOf(
            [&] { distill(*teacher, *student, data.train, nullptr, DistillOptions()); });
        QVERIFY2(error.contains("outputs 12 classes") && error.contains("outputs 10"),
                 qPrintable(error));
        QVERIFY(test::errorOf([&] {
                    distill(*teacher, *student, data.train, nullptr, DistillOptions().alpha(2.0));
                }).contains("alpha"));
    }

    void lossAgreesWithPythonTorch()
    {
        // The same batch through PyTorch's usual formulation (F.kl_div with batchmean).
        const QString script =
            QStringLiteral("import torch, torch.nn.functional as F\n"
                           "s = torch.tensor([[1., 2., 3.], [0.5, -1., 2.]]); t = "
                           "torch.tensor([[3., 2., 1.], [1., 1., -2.]])\n"
                           "y = torch.tensor([0, 2]); T = 2.0; a = 0.5\n"
                           "kd = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), "
                           "reduction='batchmean') * T * T\n"
                           "print(float(a * kd + (1 - a) * F.cross_entropy(s, y)))\n");
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script});
        if (!python.waitForStarted(10000))
            QSKIP("python3-torch is not installed");
        QVERIFY(python.waitForFinished(120000));
        QCOMPARE(python.exitCode(), 0);
        const double expected = python.readAllStandardOutput().trimmed().toDouble();
        const auto s = tensor2d({1, 2, 3, 0.5f, -1, 2}, 2);
        const auto t = tensor2d({3, 2, 1, 1, 1, -2}, 2);
        const auto y = at::tensor(std::vector<int64_t>{0, 2});
        QVERIFY(std::abs(distillation_loss(s, t, y, 2.0, 0.5, 2).total.item<double>() - expected) <
                1e-5);
    }
};

QTEST_GUILESS_MAIN(TestDistillation)
#include "test_distillation.moc"
