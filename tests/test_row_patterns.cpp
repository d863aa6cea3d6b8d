// Per-row rates and the N:M pattern: which weights stay, for Linear and Conv2d shapes.
#include "engine/pruning/row_patterns.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

class TestRowPatterns : public QObject
{
    Q_OBJECT
private slots:
    void nOfMKeepsTheLargestOfEveryGroup()
    {
        const auto scores = at::rand({5, 12});
        const auto keep = keep_n_of_m(scores, {2, 4});
        QCOMPARE(keep.sizes(), scores.sizes());
        const auto groups = keep.view({5, 3, 4});
        QVERIFY(groups.sum(2).eq(2).all().item<bool>());
        // Every kept score beats every pruned score of its group.
        const auto s = scores.view({5, 3, 4});
        const auto keptMin = s.masked_fill(groups.logical_not(), 2.0).amin(2);
        const auto prunedMax = s.masked_fill(groups, -1.0).amax(2);
        QVERIFY(keptMin.gt(prunedMax).all().item<bool>());
        QVERIFY(satisfies_n_of_m(keep, {2, 4}));
        QVERIFY(!satisfies_n_of_m(at::ones({5, 12}, at::kBool), {2, 4}));
    }

    void nOfMRunsAlongInputChannelsOfAConvolution()
    {
        const auto scores = at::rand({3, 8, 3, 3});
        const auto keep = keep_n_of_m(scores, {1, 4});
        // At each kernel position, each run of 4 input channels keeps one.
        QVERIFY(keep.view({3, 2, 4, 3, 3}).sum(2).eq(1).all().item<bool>());
        QVERIFY(satisfies_n_of_m(keep, {1, 4}));
        QCOMPARE(keep.sum().item<int64_t>(), int64_t(3 * 2 * 9));
    }

    void nOfMNeedsAMultipleOfM()
    {
        QVERIFY(!keep_n_of_m(at::rand({4, 6}), {2, 4}).defined());
        QVERIFY(!keep_n_of_m(at::rand({4, 1, 5, 5}), {2, 4}).defined());
    }

    void perRowPrunesTheSameShareOfEveryRow()
    {
        auto scores = at::rand({6, 10});
        scores[0] *= 100.0; // a row of large scores still loses its share
        const auto keep = keep_per_row(scores, 0.3);
        QVERIFY(keep.sum(1).eq(7).all().item<bool>());
        const auto keptMin = scores.masked_fill(keep.logical_not(), 1e9).amin(1);
        const auto prunedMax = scores.masked_fill(keep, -1.0).amax(1);
        QVERIFY(keptMin.gt(prunedMax).all().item<bool>());
        QVERIFY(keep_per_row(scores, 0.0).all().item<bool>());
    }

    void parsesPatterns()
    {
        const auto p = parse_nm_pattern("4:8");
        QCOMPARE(p.n, int64_t(4));
        QCOMPARE(p.m, int64_t(8));
        QCOMPARE(to_string(p), std::string("4:8"));
        for (const char* bad : {"4:2", "2:2", "0:4", "x", "2:", "2:100"})
            QVERIFY2(test::errorOf([&] { parse_nm_pattern(bad); }).contains(bad), bad);
    }
};

QTEST_GUILESS_MAIN(TestRowPatterns)
#include "test_row_patterns.moc"
