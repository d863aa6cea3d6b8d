#include "engine/pruning/score_index.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <limits>

using namespace prunelab;

namespace {
ImportanceResult resultOf(std::vector<at::Tensor> scores)
{
    ImportanceResult result;
    for (size_t i = 0; i < scores.size(); ++i)
        result.layers.push_back({"layer" + std::to_string(i), "Linear", scores[i], true});
    return result;
}
} // namespace

class TestScoreIndex : public QObject
{
    Q_OBJECT
private slots:
    void countsAndThresholds()
    {
        ScoreIndex index(resultOf({at::tensor({0.5f, 0.1f, 0.9f, 0.3f})}));
        QCOMPARE(index.count_at_or_below(0, 0.3f), int64_t(2));
        QCOMPARE(index.rate_for_threshold(0, 0.0f), 0.0);
        QCOMPARE(index.rate_for_threshold(0, 1.0f), 1.0);
        QCOMPARE(index.threshold_for_count(0, 3), 0.5f);
        QVERIFY(std::isinf(index.threshold_for_count(0, 0)));
        QVERIFY(index.mask_pruning(0, 2).equal(at::tensor({1, 0, 1, 0}).to(at::kBool)));
        QVERIFY(index.mask_for_threshold(0, 0.5f).equal(at::tensor({0, 0, 1, 0}).to(at::kBool)));
    }

    void roundsRatesLikePython()
    {
        ScoreIndex index(resultOf({at::rand({10}), at::rand({5})}));
        QCOMPARE(index.count_for_rate(0, 0.25), int64_t(2)); // round(2.5) == 2, half to even
        QCOMPARE(index.count_for_rate(0, 0.35), int64_t(4)); // round(3.5) == 4
        QCOMPARE(index.count_for_rate(1, 1.0), int64_t(5));
        QVERIFY_THROWS_EXCEPTION(std::exception, index.count_for_rate(0, 1.5));
        QVERIFY_THROWS_EXCEPTION(std::exception, index.count_for_rate(0, NAN));
    }

    void tiesPruneExactlyTheCount()
    {
        // Already-pruned weights all score 0: asking for 3 of the 5 zeros prunes exactly 3.
        ScoreIndex index(resultOf({at::tensor({0.0f, 0.7f, 0.0f, 0.0f, 0.2f, 0.0f, 0.0f})}));
        const auto keep = index.mask_pruning(0, 3);
        QCOMPARE(keep.eq(0).sum().item<int64_t>(), int64_t(3));
        QVERIFY(keep[1].item<bool>());
        QVERIFY(keep[4].item<bool>());
    }

    void sortsLikeTorchWhateverTheValues()
    {
        // The index sorts by the floats' bits: negatives, both zeros, infinities, denormals,
        // ties and NaN (last) must come out in at::sort's order, for layers of every size.
        at::manual_seed(5);
        at::Tensor mixed =
            at::cat({at::randn({5000}) * 1e3, at::randint(-3, 4, {4000}).toType(at::kFloat),
                     at::tensor({0.0f, -0.0f, INFINITY, -INFINITY, 1e-40f, -1e-40f, NAN,
                                 std::numeric_limits<float>::max()})});
        mixed = mixed.index_select(0, at::randperm(mixed.numel()));
        for (const at::Tensor& scores :
             {mixed, at::tensor({2.0f}), at::zeros({0}), at::ones({300})}) {
            ScoreIndex index(resultOf({scores}));
            const at::Tensor want = std::get<0>(scores.sort());
            const at::Tensor got = index.sorted(0);
            QCOMPARE(got.numel(), want.numel());
            // Equal as values (NaN at the same place): -0 and +0 compare equal, like the cut.
            QVERIFY((got.eq(want) | (got.isnan() & want.isnan())).all().item<bool>());
        }
    }

    void globalThresholdIsKthOfTheUnion()
    {
        at::manual_seed(3);
        std::vector<at::Tensor> layers = {at::randn({300}), at::randn({20, 7}),
                                          at::rand({1000}) * 5};
        ScoreIndex index(resultOf(layers));
        std::vector<at::Tensor> flat;
        for (auto& l : layers)
            flat.push_back(l.flatten());
        const auto all = std::get<0>(at::cat(flat).sort());
        for (int64_t k : {1, 17, 500, 1000, 1440}) {
            const float expected = all[k - 1].item<float>();
            QCOMPARE(index.global_threshold({0, 1, 2}, k), expected);
        }
        // A subset of layers ranks only those.
        const auto sub = std::get<0>(at::cat({flat[0], flat[2]}).sort());
        QCOMPARE(index.global_threshold({0, 2}, 650), sub[649].item<float>());
        QVERIFY(std::isinf(index.global_threshold({0, 1, 2}, 0)));
    }

    void normalisedRankingIgnoresEachLayersScale()
    {
        // Two layers with the same shape of scores, one 10× the other (a wider fan-in): raw
        // ranking takes the small layer first; any normalizer sees them as equals.
        at::manual_seed(4);
        const at::Tensor base = at::rand({100}) + 0.5;
        ScoreIndex index(resultOf({base, base * 10}));
        const auto raw = index.global_counts({0, 1}, 0.5);
        QCOMPARE(raw[0], int64_t(100));
        QCOMPARE(raw[1], int64_t(0));
        for (auto normalizer : {ScoreNormalizer::L2, ScoreNormalizer::Max, ScoreNormalizer::Mean}) {
            const auto fair = index.global_counts({0, 1}, 0.5, {normalizer, 1.0});
            QVERIFY2(std::abs(fair[0] - fair[1]) <= 1, to_string(normalizer).c_str());
            QCOMPARE(fair[0] + fair[1], int64_t(100));
        }
        QVERIFY(std::abs(index.normalizer_scale(1, ScoreNormalizer::Mean) /
                             index.normalizer_scale(0, ScoreNormalizer::Mean) -
                         10.0) < 1e-5);
    }

    void aCappedLayerPassesItsShareOn()
    {
        // Raw scores would take all of layer 0 at 50%; capped at 90%, the rest comes from the
        // next-lowest scores in layer 1 and the total still comes out exact.
        ScoreIndex index(resultOf(
            {at::arange(100).toType(at::kFloat), at::arange(100).toType(at::kFloat) + 1000}));
        const auto counts = index.global_counts({0, 1}, 0.5, {ScoreNormalizer::None, 0.9});
        QCOMPARE(counts[0], int64_t(90));
        QCOMPARE(counts[1], int64_t(10));
        // A global rate above the cap raises it: every rate stays reachable.
        const auto high = index.global_counts({0, 1}, 0.95, {ScoreNormalizer::None, 0.9});
        QCOMPARE(high[0] + high[1], int64_t(190));
        QVERIFY(high[0] <= 95 && high[1] <= 95);
        // A layer of zeros has no scale: it is ranked raw rather than divided by zero.
        ScoreIndex zeros(resultOf({at::zeros({10}), at::ones({10})}));
        QCOMPARE(zeros.normalizer_scale(0, ScoreNormalizer::Mean), 1.0);
        QCOMPARE(parse_score_normalizer("l2"), ScoreNormalizer::L2);
        QVERIFY(prunelab::test::errorOf([] {
                    parse_score_normalizer("z");
                }).contains("none, l2, max or mean"));
    }
};

QTEST_GUILESS_MAIN(TestScoreIndex)
#include "test_score_index.moc"
