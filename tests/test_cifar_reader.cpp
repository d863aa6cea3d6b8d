#include "engine/core/error.h"
#include "engine/data/cifar_reader.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace prunelab;

namespace {

std::string records(int count, int firstLabel)
{
    std::string bytes;
    for (int r = 0; r < count; ++r) {
        bytes.push_back(char((firstLabel + r) % 10));
        for (int i = 0; i < 3072; ++i)
            bytes.push_back(char((r * 7 + i) % 256));
    }
    return bytes;
}

void writeCifar(const QString& dir)
{
    for (int i = 1; i <= 5; ++i)
        test::writeBytes(dir + QString("/data_batch_%1.bin").arg(i), records(2, i));
    test::writeBytes(dir + "/test_batch.bin", records(3, 0));
}

} // namespace

class TestCifarReader : public QObject
{
    Q_OBJECT
private slots:
    void readsTrainAndTestBatches()
    {
        QTemporaryDir dir;
        writeCifar(dir.path());
        const auto train = load_cifar10_split(dir.path().toStdString(), true);
        const auto test = load_cifar10_split(dir.path().toStdString(), false);
        QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{10, 3, 32, 32}));
        QCOMPARE(test.labels.size(0), 3);
        QCOMPARE(train.labels[2].item<int64_t>(), 2); // batch 2's first record
        // Channel-major layout: byte i of a record is channel i/1024, row (i%1024)/32.
        QCOMPARE(test.images[1][0][0][1].item<int>(), (1 * 7 + 1) % 256);
        QCOMPARE(test.images[1][1][0][0].item<int>(), (1 * 7 + 1024) % 256);
    }

    void findsNestedDirectory()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkdir("cifar-10-batches-bin");
        writeCifar(dir.filePath("cifar-10-batches-bin"));
        QCOMPARE(load_cifar10_split(dir.path().toStdString(), false).labels.size(0), 3);
    }

    void rejectsTruncatedBatch()
    {
        QTemporaryDir dir;
        writeCifar(dir.path());
        test::writeBytes(dir.filePath("test_batch.bin"), records(2, 0).substr(0, 5000));
        try {
            load_cifar10_split(dir.path().toStdString(), false);
            QFAIL("a truncated batch was accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("test_batch.bin"));
            QVERIFY(QString(e.what()).contains("3073"));
        }
    }

    void rejectsMissingBatchAndBadLabel()
    {
        QTemporaryDir dir;
        writeCifar(dir.path());
        QFile::remove(dir.filePath("data_batch_4.bin"));
        QVERIFY_THROWS_EXCEPTION(Error, load_cifar10_split(dir.path().toStdString(), true));
        std::string bad = records(1, 0);
        bad[0] = char(42);
        test::writeBytes(dir.filePath("test_batch.bin"), bad);
        try {
            load_cifar10_split(dir.path().toStdString(), false);
            QFAIL("label 42 was accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("label 42"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCifarReader)
#include "test_cifar_reader.moc"
