#include "engine/core/error.h"
#include "engine/data/data_spec.h"
#include "engine/data/synthetic_data.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

class TestDataSpec : public QObject
{
    Q_OBJECT
private slots:
    void loadsFashionMnistSubsetNormalized()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("dataset-fashion-mnist is not installed");
        const auto splits =
            load_data(DataOptions().spec("fashion-mnist").train_limit(5000).test_limit(300));
        QCOMPARE(splits.train.size(), 5000);
        QCOMPARE(splits.test.size(), 300);
        QCOMPARE(splits.train.sample_shape(), (std::vector<int64_t>{1, 28, 28}));
        QCOMPARE(splits.train.num_classes, 10);
        // The fixed Fashion-MNIST constants normalize its training images to ~0 mean, ~1 std.
        QVERIFY(std::abs(splits.train.images.mean().item<double>()) < 0.05);
        QVERIFY(std::abs(splits.train.images.std().item<double>() - 1.0) < 0.05);
        QCOMPARE(splits.train.labels.scalar_type(), at::kLong);
    }

    void carvesDisjointValidationSplit()
    {
        const auto splits = load_data(DataOptions()
                                          .spec("synthetic:1,8,8,4")
                                          .train_limit(300) // generated: 400, a quarter held out
                                          .validation_fraction(0.25)
                                          .seed(5));
        QCOMPARE(splits.validation.size(), 100);
        QCOMPARE(splits.train.size(), 300);
        // No validation sample is also a training sample.
        const auto flat_train = splits.train.images.flatten(1);
        const auto flat_val = splits.validation.images.flatten(1);
        const auto distances = at::cdist(flat_val, flat_train);
        QVERIFY(distances.min().item<double>() > 0.0);
    }

    void holdsOutATenthForValidationByDefault()
    {
        const auto plain =
            load_data(DataOptions().spec("synthetic:1,8,8,4").validation_fraction(0));
        const auto splits = load_data(DataOptions().spec("synthetic:1,8,8,4"));
        QCOMPARE(plain.validation.size(), 0);
        const int64_t total = plain.train.size();
        QCOMPARE(splits.validation.size(), int64_t(std::llround(0.1 * double(total))));
        QCOMPARE(splits.train.size() + splits.validation.size(), total);
        // Training keeps its file order: the kept samples are a subsequence of the original.
        const auto flat = plain.train.images.flatten(1);
        int64_t cursor = 0;
        for (int64_t i = 0; i < splits.train.size(); ++i) {
            while (cursor < total && !flat[cursor].equal(splits.train.images[i].flatten()))
                ++cursor;
            QVERIFY2(cursor < total, "a training sample moved out of file order");
        }
        // The same split whatever else is asked; a train limit still gives that many samples,
        // and the test limit caps the validation split too.
        QVERIFY(load_data(DataOptions().spec("synthetic:1,8,8,4"))
                    .validation.images.equal(splits.validation.images));
        const auto limited =
            load_data(DataOptions().spec("synthetic:1,8,8,4").train_limit(90).test_limit(5));
        QCOMPARE(limited.train.size(), 90);
        QCOMPARE(limited.validation.size(), 5);
        QCOMPARE(limited.test.size(), 5);
    }

    void syntheticFollowsRequestedShape()
    {
        const auto explicitShape = load_data(DataOptions().spec("synthetic:3,16,12,5"));
        QCOMPARE(explicitShape.test.sample_shape(), (std::vector<int64_t>{3, 16, 12}));
        QCOMPARE(explicitShape.test.num_classes, 5);
        QVERIFY(explicitShape.test.labels.max().item<int64_t>() <= 4);
        const auto fromModel = load_data(
            DataOptions().spec("synthetic").synthetic_shape({3, 32, 32}).synthetic_classes(10));
        QCOMPARE(fromModel.train.sample_shape(), (std::vector<int64_t>{3, 32, 32}));
    }

    void syntheticIsDeterministic()
    {
        const auto a = load_data(DataOptions().spec("synthetic:1,8,8").seed(2));
        const auto b = load_data(DataOptions().spec("synthetic:1,8,8").seed(2));
        const auto c = load_data(DataOptions().spec("synthetic:1,8,8").seed(3));
        QVERIFY(a.train.images.equal(b.train.images));
        QVERIFY(!a.train.images.equal(c.train.images));
    }

    void rejectsBadSpecs_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown") << "imagenet"
                                 << "unknown data spec 'imagenet'";
        QTest::newRow("mnist without dir") << "mnist"
                                           << "mnist:DIR";
        QTest::newRow("missing dir") << "mnist:/no/such/dir"
                                     << "/no/such/dir";
        QTest::newRow("bad synthetic") << "synthetic:1,x,8"
                                       << "'x' is not a positive integer";
        QTest::newRow("synthetic arity") << "synthetic:1,8"
                                         << "synthetic:C,H,W";
        QTest::newRow("cifar missing") << "cifar10:/no/cifar"
                                       << "/no/cifar";
    }

    void rejectsBadSpecs()
    {
        QFETCH(QString, spec);
        QFETCH(QString, expected);
        try {
            load_data(DataOptions().spec(spec.toStdString()));
            QFAIL("a bad spec was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void syntheticDataTooLargeForTheMachineIsRefused()
    {
        // Issue 16 item 8: synthetic:1,100000,100000 asked for 25 GB, and a train limit of 1e12
        // generated that many samples. Refused before any allocation, saying how much.
        auto refused = [](const DataOptions& options) {
            try {
                load_data(options);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString();
        };
        const QString huge = refused(DataOptions().spec("synthetic:1,100000,100000"));
        QVERIFY2(huge.contains("would take about") && huge.contains("GB"), qPrintable(huge));
        const QString many =
            refused(DataOptions().spec("synthetic:1,8,8").train_limit(int64_t(1e12)));
        QVERIFY2(many.contains("lower --train-limit"), qPrintable(many));
        QVERIFY(default_memory_cap() > (int64_t(1) << 28));
        // Ordinary sizes pass.
        QVERIFY(refused(DataOptions().spec("synthetic:3,64,64").train_limit(1000)).isEmpty());
    }

    void idxLimitsReadTheSameSamplesAsLimitingAfterwards()
    {
        // Reading only what the limits need (issue 16 item 8) must pick exactly the samples
        // that loading everything and then limiting picks, validation included.
        QTemporaryDir dir;
        auto write = [&](const QString& name, std::vector<uint32_t> dims, int modulo) {
            std::string bytes = {0, 0, 8, char(dims.size())};
            for (uint32_t d : dims)
                for (int shift = 24; shift >= 0; shift -= 8)
                    bytes.push_back(char((d >> shift) & 0xff));
            int64_t elements = 1;
            for (uint32_t d : dims)
                elements *= d;
            for (int64_t i = 0; i < elements; ++i)
                bytes.push_back(char((i * 7 + i / 49) % modulo));
            test::writeBytes(dir.filePath(name), bytes);
        };
        write("train-images-idx3-ubyte", {300, 7, 7}, 251);
        write("train-labels-idx1-ubyte", {300}, 10);
        write("t10k-images-idx3-ubyte", {80, 7, 7}, 241);
        write("t10k-labels-idx1-ubyte", {80}, 10);
        const auto base = DataOptions().spec("mnist:" + dir.path().toStdString()).seed(3);
        const auto all = load_data(base);
        const auto some = load_data(DataOptions(base).train_limit(50).test_limit(20));
        QCOMPARE(all.train.size(), 270);
        QCOMPARE(all.validation.size(), 30);
        QCOMPARE(some.train.size(), 50);
        QCOMPARE(some.validation.size(), 20);
        QCOMPARE(some.test.size(), 20);
        QVERIFY(some.train.images.equal(all.train.images.slice(0, 0, 50)));
        QVERIFY(some.train.labels.equal(all.train.labels.slice(0, 0, 50)));
        QVERIFY(some.validation.images.equal(all.validation.images.slice(0, 0, 20)));
        QVERIFY(some.validation.labels.equal(all.validation.labels.slice(0, 0, 20)));
        QVERIFY(some.test.images.equal(all.test.images.slice(0, 0, 20)));
        const auto unvalidated = load_data(DataOptions(base).validation_fraction(0).train_limit(9));
        QCOMPARE(unvalidated.validation.size(), 0);
        QCOMPARE(unvalidated.train.size(), 9);
    }

    void parsesByteSizes()
    {
        QCOMPARE(parse_byte_size("512M", "--max-memory"), int64_t(512'000'000));
        QCOMPARE(parse_byte_size("1.5GB", "--max-memory"), int64_t(1'500'000'000));
        QCOMPARE(parse_byte_size("4096", "--max-memory"), int64_t(4096));
        for (const char* bad : {"", "lots", "5Q", "-1G", "1e30T", "nan"})
            QVERIFY2(test::errorOf([&] {
                         parse_byte_size(bad, "--max-memory");
                     }).contains("--max-memory"),
                     bad);
    }

    void rejectsBadValidationFraction()
    {
        QVERIFY_THROWS_EXCEPTION(
            Error, load_data(DataOptions().spec("synthetic:1,8,8").validation_fraction(1.5)));
    }
};

QTEST_GUILESS_MAIN(TestDataSpec)
#include "test_data_spec.moc"
