#include "engine/core/error.h"
#include "engine/data/augmentation.h"
#include "engine/data/data_spec.h"
#include "engine/data/image_folder.h"
#include "engine/models/model_factory.h"
#include "engine/models/models.h"
#include "engine/training/trainer.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

// images:DIR — folders of PNG and JPEG files written by PIL in Python, decoded by stb_image.
class TestImageFolder : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string folder(const char* name) const { return m_dir.filePath(name).toStdString(); }

    static QJsonObject runCliJson(const QStringList& args)
    {
        QString out, err;
        const int code = test::runCli(args, &out, &err);
        if (code != 0)
            qWarning("%s", qPrintable(err));
        return test::lastJson(out);
    }

private slots:
    void initTestCase()
    {
        int exitCode = 0;
        const QString output = test::runPython(
            {QStringLiteral(PRUNELAB_SOURCE_DIR "/tests/python/make_image_folder.py"),
             m_dir.path()},
            &exitCode);
        QVERIFY2(exitCode == 0, qPrintable(output));
    }

    void loadsTrainAndTestFoldersOfPngAndJpeg()
    {
        ImageFolderOptions options;
        options.sample_shape = {3, 16, 16};
        const auto splits = load_image_folder(folder("split"), options);
        QCOMPARE(splits.train.size(), 120); // 3 classes × 40
        QCOMPARE(splits.test.size(), 36);
        QCOMPARE(splits.train.sample_shape(), (std::vector<int64_t>{3, 16, 16}));
        QCOMPARE(splits.train.num_classes, 3);
        // Classes in sorted folder order: circle 0, square 1, stripe 2; files in name order.
        QCOMPARE(splits.train.labels[0].item<int64_t>(), 0);
        QCOMPARE(splits.train.labels[40].item<int64_t>(), 1);
        QCOMPARE(splits.test.labels[35].item<int64_t>(), 2);
        // "auto" normalization: the training images' per-channel mean 0 and std 1.
        const auto perChannel = splits.train.images.transpose(0, 1).reshape({3, -1});
        QVERIFY(perChannel.mean(1).abs().max().item<double>() < 1e-3);
        QVERIFY((perChannel.std(1) - 1).abs().max().item<double>() < 1e-2);
        // Training batches are augmented by default, evaluation never is.
        QVERIFY(splits.train.augmentation.horizontal_flip);
        QCOMPARE(splits.train.augmentation.crop_padding, int64_t(2));
        QVERIFY(!splits.test.augmentation.any());
        // The classes differ where their shapes are: a disc upper left, a block lower right.
        const auto mean0 = splits.train.images.narrow(0, 0, 40).mean(0).mean(0);
        const auto mean1 = splits.train.images.narrow(0, 40, 40).mean(0).mean(0);
        QVERIFY(mean0[3][3].item<double>() > mean1[3][3].item<double>() + 0.5);
        QVERIFY(mean1[12][12].item<double>() > mean0[12][12].item<double>() + 0.5);
    }

    void decodesChannelsInRgbOrderAndToGrey()
    {
        ImageFolderOptions options;
        options.normalize = "none";
        options.test_fraction = 0.5;
        options.sample_shape = {3, 8, 8};
        const auto rgb = load_image_folder(folder("red"), options);
        const auto pixels = at::cat({rgb.train.images, rgb.test.images});
        QCOMPARE(pixels.select(1, 0).min().item<double>(), 1.0); // red
        QCOMPARE(pixels.select(1, 1).max().item<double>(), 0.0);
        QCOMPARE(pixels.select(1, 2).max().item<double>(), 0.0);
        options.sample_shape = {1, 8, 8};
        const auto grey = load_image_folder(folder("red"), options);
        // Luminance of pure red: about 0.3.
        QVERIFY(std::abs(grey.train.images.mean().item<double>() - 0.3) < 0.02);
        // Without a shape: RGB at the first image's size.
        options.sample_shape = {};
        QCOMPARE(load_image_folder(folder("red"), options).train.sample_shape(),
                 (std::vector<int64_t>{3, 10, 10}));
    }

    void splitsAFlatFolderBySeed()
    {
        ImageFolderOptions options;
        options.sample_shape = {3, 32, 32};
        options.seed = 4;
        const auto a = load_image_folder(folder("flat"), options);
        QCOMPARE(a.train.size() + a.test.size(), 40);
        QCOMPARE(a.test.size(), 8);
        const auto b = load_image_folder(folder("flat"), options);
        QVERIFY(a.test.images.equal(b.test.images));
        options.seed = 5;
        QVERIFY(!load_image_folder(folder("flat"), options).test.images.equal(a.test.images));
        // No test image is also a training image.
        QVERIFY(
            at::cdist(a.test.images.flatten(1), a.train.images.flatten(1)).min().item<double>() >
            0.0);
    }

    void dataSpecGivesTheModelsShapeAndAValidationSplit()
    {
        const auto splits = load_data(DataOptions()
                                          .spec("images:" + folder("split"))
                                          .synthetic_shape({1, 28, 28})
                                          .augment(false)
                                          .normalize("0.5/0.25"));
        QCOMPARE(splits.train.sample_shape(), (std::vector<int64_t>{1, 28, 28}));
        QCOMPARE(splits.validation.size(), 12); // a tenth of 120
        QCOMPARE(splits.train.size(), 108);
        QVERIFY(!splits.train.augmentation.any());
        QVERIFY(splits.train.images.max().item<double>() <= (1.0 - 0.5) / 0.25 + 1e-5);
    }

    void badFoldersAndFilesAreNamed()
    {
        const QString broken = m_dir.filePath("broken/cat");
        QVERIFY(QDir().mkpath(broken));
        QVERIFY(QDir().mkpath(m_dir.filePath("broken/dog")));
        test::writeBytes(broken + "/0.png", "this is not a PNG file");
        test::writeBytes(m_dir.filePath("broken/dog/0.png"), "nor is this");
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("broken"), {});
                }).contains(QStringLiteral("0.png: not a PNG or JPEG image")));
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("missing"), {});
                }).contains(QStringLiteral("missing is not a folder")));
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("red/only"), {});
                }).contains(QStringLiteral("no class sub-folders")));
        QVERIFY(QDir().mkpath(m_dir.filePath("split/test/unknown")));
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("split"), {});
                }).contains(QStringLiteral("unknown is a class the training images do not have")));
        QVERIFY(QDir(m_dir.filePath("split/test/unknown")).removeRecursively());
        ImageFolderOptions options;
        options.normalize = "0.5,0.5/0.2";
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("split"), options);
                }).contains(QStringLiteral("gives 2 means and 1 deviations for 3 channels")));
        options = {};
        options.sample_shape = {64};
        QVERIFY(test::errorOf([&] {
                    load_image_folder(folder("split"), options);
                }).contains(QStringLiteral("C×H×W")));
        QVERIFY(test::errorOf([&] {
                    load_data(DataOptions().spec("images:"));
                }).contains(QStringLiteral("needs a folder")));
    }

    void augmentationCropsAndFlipsDeterministically()
    {
        const auto images =
            at::arange(2 * 8 * 8, at::kFloat).reshape({2, 1, 8, 8}).repeat({32, 1, 1, 1});
        auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
        const auto flipped = augment_batch(images, {0, true}, gen);
        int mirrored = 0, same = 0;
        for (int64_t i = 0; i < images.size(0); ++i) {
            if (flipped[i].equal(images[i]))
                ++same;
            else if (flipped[i].equal(images[i].flip({2})))
                ++mirrored;
        }
        QCOMPARE(mirrored + same, int(images.size(0))); // nothing else happens to a sample
        QVERIFY(mirrored > 10 && same > 10);
        // A crop is a window of the reflection-padded image, at most 2 pixels off.
        const auto cropped = augment_batch(images, {2, false}, gen);
        const auto padded = at::reflection_pad2d(images, {2, 2, 2, 2});
        int shifted = 0;
        for (int64_t i = 0; i < images.size(0); ++i) {
            bool found = false;
            for (int dy = 0; dy <= 4 && !found; ++dy)
                for (int dx = 0; dx <= 4 && !found; ++dx)
                    found = cropped[i].equal(padded[i].narrow(1, dy, 8).narrow(2, dx, 8));
            QVERIFY(found);
            shifted += !cropped[i].equal(images[i]);
        }
        QVERIFY(shifted > 40);
        auto again = at::make_generator<at::CPUGeneratorImpl>(1);
        QVERIFY(augment_batch(images, {0, true}, again).equal(flipped));
        // Features and sequences are never augmented.
        const auto features = at::randn({4, 16});
        QVERIFY(augment_batch(features, {2, true}, gen).equal(features));
    }

    void theCliTrainsOnImagesAndDecidesOnValidation()
    {
        const QString data = "images:" + m_dir.filePath("split");
        const QString model = m_dir.filePath("shapes.pt");
        QString out, err;
        QCOMPARE(test::runCli({"train", "convnet", "--data", data, "--epochs", "8", "--out", model,
                               "--json"},
                              &out, &err),
                 0);
        const auto trained = test::lastJson(out);
        // Shapes in three places: learnable from 108 small images.
        QVERIFY2(trained["accuracy"].toDouble() > 0.6, qPrintable(test::lastLine(out)));
        QCOMPARE(trained["train_samples"].toInt(), 108);
        QCOMPARE(runCliJson({"sensitivity", model, "--data", data, "--sparsities", "0.5", "--csv",
                             m_dir.filePath("s.csv"), "--json"})["measured"]
                     .toObject()["split"]
                     .toString(),
                 QString("validation"));
        QCOMPARE(runCliJson({"sensitivity", model, "--data", data, "--sparsities", "0.5", "--csv",
                             m_dir.filePath("s.csv"), "--val-fraction", "0", "--json"})["measured"]
                     .toObject()["split"]
                     .toString(),
                 QString("test"));
    }

    void trainingUsesTheSetsAugmentation()
    {
        ImageFolderOptions options;
        options.sample_shape = {1, 28, 28};
        auto splits = load_image_folder(folder("split"), options);
        auto plain = splits.train;
        plain.augmentation = {};
        const auto run = [&](const Dataset& data) {
            auto net = create_model(default_model_spec("convnet"), 1);
            train(*net, data, nullptr, TrainOptions().epochs(1).batch(32).seed(3).threads(1));
            return net->named_parameters()["conv1.weight"].clone();
        };
        QVERIFY(run(plain).equal(run(plain)));
        QVERIFY(!run(splits.train).equal(run(plain)));
    }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "test_image_folder.moc"
