#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/mask_set.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace prunelab;

class TestMaskSet : public QObject
{
    Q_OBJECT
private slots:
    void appliesToWeightsAndGradients()
    {
        auto net = create_model(default_model_spec("lenet300"), 1);
        MaskSet masks;
        auto mask = at::ones({10, 100});
        mask.slice(1, 0, 50).zero_();
        masks.set("fc3.weight", mask);
        masks.intersect("fc3.weight", at::cat({at::zeros({1, 100}), at::ones({9, 100})}));
        masks.apply_(*net);
        auto weight = net->named_parameters()["fc3.weight"];
        QCOMPARE(weight.eq(0).sum().item<int64_t>(), int64_t(500 + 50));
        weight.mutable_grad() = at::ones_like(weight);
        masks.mask_gradients_(*net);
        QCOMPARE(weight.grad().sum().item<double>(), 450.0);
    }

    void roundTripsAsBool()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        MaskSet masks;
        masks.set("conv1.weight", at::rand({10, 1, 5, 5}) > 0.5);
        const auto stored = masks.to_bool();
        QCOMPARE(stored.at("conv1.weight").scalar_type(), at::kBool);
        const auto back = MaskSet::from_tensors(stored, *net);
        QVERIFY(back.find("conv1.weight")->equal(*masks.find("conv1.weight")));
    }

    void rejectsForeignMasks()
    {
        auto net = create_model(default_model_spec("convnet"), 1);
        const auto before = net->named_parameters()["conv1.weight"].clone();
        MaskSet masks;
        masks.set("conv1.weight", at::zeros({10, 1, 5, 5}));
        masks.set("conv9.weight", at::zeros({3}));
        try {
            masks.apply_(*net);
            QFAIL("a mask for a missing parameter was applied");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("conv9.weight"));
        }
        QVERIFY_THROWS_EXCEPTION(Error,
                                 MaskSet::from_tensors({{"fc1.weight", at::ones({2, 2})}}, *net));
        QVERIFY(net->named_parameters()["conv1.weight"].equal(before)); // nothing applied
    }
};

QTEST_GUILESS_MAIN(TestMaskSet)
#include "test_mask_set.moc"
