#include "engine/core/error.h"
#include "engine/data/idx_reader.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QtTest>
#include <numeric>
#include <zlib.h>

using namespace prunelab;
using prunelab::test::errorOf;

namespace {

std::string idxHeader(unsigned char type, std::vector<uint32_t> dims)
{
    std::string bytes = {0, 0, char(type), char(dims.size())};
    for (uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.push_back(char((d >> shift) & 0xff));
    return bytes;
}

void writeGzip(const QString& path, const std::string& bytes)
{
    gzFile file = gzopen(path.toLocal8Bit().constData(), "wb");
    QVERIFY(file);
    gzwrite(file, bytes.data(), unsigned(bytes.size()));
    gzclose(file);
}

} // namespace

class TestIdxReader : public QObject
{
    Q_OBJECT
private slots:
    void readsPlainAndGzipAlike()
    {
        QTemporaryDir dir;
        std::string bytes = idxHeader(0x08, {3, 2, 2});
        for (int i = 0; i < 12; ++i)
            bytes.push_back(char(i * 20));
        test::writeBytes(dir.filePath("plain"), bytes);
        writeGzip(dir.filePath("packed.gz"), bytes);
        const auto plain = read_idx_file(dir.filePath("plain").toStdString());
        const auto packed = read_idx_file(dir.filePath("packed.gz").toStdString());
        QCOMPARE(plain.sizes().vec(), (std::vector<int64_t>{3, 2, 2}));
        QVERIFY(plain.equal(packed));
        QCOMPARE(plain[2][1][1].item<int>(), 220);
    }

    void readsRealFashionMnistLabels()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("dataset-fashion-mnist is not installed");
        const auto labels =
            read_idx_file("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        QCOMPARE(labels.size(0), 10000);
        // Fashion-MNIST's test split is balanced: 1,000 of each class.
        const auto counts = at::bincount(labels.to(at::kLong));
        QCOMPARE(counts.min().item<int64_t>(), 1000);
        QCOMPARE(counts.max().item<int64_t>(), 1000);
    }

    void rejectsBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        const std::string good = idxHeader(0x08, {4});
        QTest::newRow("wrong magic")
            << QByteArray("\x01\x02\x08\x01\0\0\0\4abcd", 12) << "wrong magic";
        QTest::newRow("float type")
            << QByteArray::fromStdString(idxHeader(0x0D, {1}) + "abcd") << "0x0d is not supported";
        QTest::newRow("truncated data") << QByteArray::fromStdString(good + "ab") << "truncated";
        QTest::newRow("truncated header") << QByteArray("\0\0", 2) << "truncated";
        QTest::newRow("empty") << QByteArray() << "truncated";
        // Found by fuzz_idx: sizes whose product wraps 64 bits around to 1568 elements.
        QTest::newRow("wrapping sizes")
            << QByteArray::fromStdString(idxHeader(0x08, {27283913, 820044, 824472}))
            << "implausible size";
        QTest::newRow("zero size")
            << QByteArray::fromStdString(idxHeader(0x08, {0, 28})) << "implausible size";
    }

    void rejectsBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad-idx");
        test::writeBytes(path, content.toStdString());
        const QString message = errorOf([&] { read_idx_file(path.toStdString()); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
    }

    void reportsMissingFile()
    {
        const QString message = errorOf([] { read_idx_file("/nonexistent/train-images"); });
        QVERIFY(message.contains("/nonexistent/train-images"));
        QVERIFY(message.contains("not found"));
    }

    void rejectsCountMismatch()
    {
        QTemporaryDir dir;
        std::string images = idxHeader(0x08, {3, 2, 2}) + std::string(12, '\0');
        std::string labels = idxHeader(0x08, {2}) + std::string(2, '\1');
        test::writeBytes(dir.filePath("train-images-idx3-ubyte"), images);
        test::writeBytes(dir.filePath("train-labels-idx1-ubyte"), labels);
        const QString message = errorOf([&] { load_idx_split(dir.path().toStdString(), true); });
        QVERIFY2(message.contains("2 labels") && message.contains("3 images"), qPrintable(message));
    }

    void readsOnlyTheRecordsAskedFor()
    {
        QTemporaryDir dir;
        std::string bytes = idxHeader(0x08, {6, 2});
        for (int i = 0; i < 12; ++i)
            bytes.push_back(char(i));
        writeGzip(dir.filePath("six.gz"), bytes);
        const std::string path = dir.filePath("six.gz").toStdString();
        QCOMPARE(read_idx_shape(path), (std::vector<int64_t>{6, 2}));
        IdxReadOptions options;
        options.records = std::vector<int64_t>{1, 4, 5};
        const auto some = read_idx_file(path, options);
        QVERIFY(some.equal(read_idx_file(path).index_select(
            0, at::tensor(std::vector<int64_t>{1, 4, 5}, at::kLong))));
        options.records = std::vector<int64_t>{4, 1};
        QVERIFY(errorOf([&] { read_idx_file(path, options); }).contains("out of order"));
    }

    void capsMemoryWhileReading()
    {
        // Issue 16 item 8: a 1 MB .gz IDX expanded to 5.4 GB before --train-limit applied. Here
        // 40,000 images of 28×28 (31 MB, 150 MB as floats) under a 20 MB cap: the whole file is
        // refused before any allocation, naming it; the first 100 records read fine.
        QTemporaryDir dir;
        const QString path = dir.filePath("train-images-idx3-ubyte.gz");
        gzFile file = gzopen(path.toLocal8Bit().constData(), "wb");
        const std::string header = idxHeader(0x08, {40000, 28, 28});
        gzwrite(file, header.data(), unsigned(header.size()));
        const std::string image(28 * 28, '\x11');
        for (int i = 0; i < 40000; ++i)
            gzwrite(file, image.data(), unsigned(image.size()));
        gzclose(file);
        IdxReadOptions options;
        options.max_bytes = 20'000'000;
        const QString message = errorOf([&] { read_idx_file(path.toStdString(), options); });
        QVERIFY2(message.contains(path) && message.contains("--max-memory") &&
                     message.contains("GB"),
                 qPrintable(message));
        std::vector<int64_t> first(100);
        std::iota(first.begin(), first.end(), 0);
        options.records = first;
        const auto head = read_idx_file(path.toStdString(), options);
        QCOMPARE(head.sizes().vec(), (std::vector<int64_t>{100, 28, 28}));
        QCOMPARE(head[99][27][27].item<int>(), 0x11);
    }

    void labelsOutsideTheClassesNameTheFile()
    {
        // Found by bench/reliability.py: training said only "Target 255 is out of bounds".
        QTemporaryDir dir;
        test::writeBytes(dir.filePath("t10k-images-idx3-ubyte"),
                         idxHeader(0x08, {2, 3, 3}) + std::string(18, '\7'));
        test::writeBytes(dir.filePath("t10k-labels-idx1-ubyte"),
                         idxHeader(0x08, {2}) + std::string("\1\xff", 2));
        const QString message =
            errorOf([&] { load_idx_split(dir.path().toStdString(), false, {}, 10); });
        QVERIFY2(message.contains("t10k-labels-idx1-ubyte") && message.contains("label 255"),
                 qPrintable(message));
    }

    void loadsSplitWithChannelDimension()
    {
        QTemporaryDir dir;
        test::writeBytes(dir.filePath("t10k-images-idx3-ubyte"),
                         idxHeader(0x08, {2, 3, 3}) + std::string(18, '\7'));
        writeGzip(dir.filePath("t10k-labels-idx1-ubyte.gz"), idxHeader(0x08, {2}) + "\1\2");
        const auto split = load_idx_split(dir.path().toStdString(), false);
        QCOMPARE(split.images.sizes().vec(), (std::vector<int64_t>{2, 1, 3, 3}));
        QCOMPARE(split.labels.scalar_type(), at::kLong);
        QCOMPARE(split.labels[1].item<int64_t>(), 2);
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "test_idx_reader.moc"
