// Recipes: the JSON that states a pruning run. Round trip, strict validation with messages that
// name the file and the field, layer names checked against the model, and replay through the
// real CLI reproducing masks and weights bit for bit.

#include "engine/interop/checkpoint.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/recipe.h"
#include "engine/pruning/recipe_runner.h"
#include "engine/session/session.h"
#include "support/test_support.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace prunelab;
using json = nlohmann::json;

namespace {

json minimal()
{
    return json::parse(R"({"format": "prunelab-recipe", "format_version": 1, "model": "convnet",
                           "allocation": {"rate": 0.5, "global": true}})");
}

} // namespace

class TestRecipe : public QObject
{
    Q_OBJECT
private slots:
    void roundTripKeepsEverySetting()
    {
        Recipe recipe;
        recipe.model = "lenet5";
        recipe.data = "synthetic";
        recipe.train_limit = 100;
        auto& o = recipe.options;
        o.importance.criterion("taylor")
            .granularity(Granularity::Filter)
            .calibration_batches(4)
            .seed(9);
        o.allocation.default_rate(0.3).excluded({"fc3"}).round_to(8);
        o.allocation.layers["conv2"].rate = 0.25;
        o.allocation.layers["fc1"].threshold = 0.125f;
        o.schedule = Schedule::Agp;
        o.steps = 3;
        o.finetune_epochs = 2;
        o.final_finetune_epochs = 1;
        o.finetune.optimizer("sgd").lr(0.01).batch(32).seed(4);
        recipe.exports = {{"checkpoint", "out.pt"}, {"report", "r.json"}};
        const json j = recipe_to_json(recipe);
        const Recipe back = recipe_from_json(j, "r");
        QCOMPARE(recipe_to_json(back), j);
        QCOMPARE(back.options.importance.criterion(), std::string("taylor"));
        QVERIFY(!back.options.allocation.global_rate());
        QCOMPARE(*back.options.allocation.default_rate(), 0.3);
        QCOMPARE(*back.options.allocation.layers.at("fc1").threshold, 0.125f);
        QCOMPARE(back.options.steps, 3);
        QCOMPARE(back.exports.at("report"), std::string("r.json"));
    }

    void patternAndPerRowRoundTrip()
    {
        Recipe recipe;
        recipe.model = "lenet300";
        recipe.options.importance.criterion("wanda");
        recipe.options.allocation.pattern(NmPattern{4, 8}).per_row(true);
        recipe.exports = {{"checkpoint", "out.pt"}};
        const json j = recipe_to_json(recipe);
        QCOMPARE(j["allocation"]["pattern"], json("4:8"));
        const Recipe back = recipe_from_json(j, "r");
        QCOMPARE(back.options.allocation.pattern()->m, int64_t(8));
        QVERIFY(back.options.allocation.per_row());
        QCOMPARE(recipe_to_json(back), j);
    }

    void globalRankingRoundTripsAndOldRecipesRankRaw()
    {
        Recipe recipe;
        recipe.model = "convnet";
        recipe.options.allocation.global_rate(0.5)
            .normalizer(ScoreNormalizer::L2)
            .max_layer_rate(0.75);
        recipe.exports = {{"checkpoint", "out.pt"}};
        const json j = recipe_to_json(recipe);
        QCOMPARE(j["allocation"]["normalizer"], json("l2"));
        QCOMPARE(j["format_version"], json(2));
        const Recipe back = recipe_from_json(j, "r");
        QCOMPARE(*back.options.allocation.normalizer(), ScoreNormalizer::L2);
        QCOMPARE(*back.options.allocation.max_layer_rate(), 0.75);
        QCOMPARE(recipe_to_json(back), j);
        // Unset is "auto" both ways.
        recipe.options.allocation.normalizer(std::nullopt).max_layer_rate(std::nullopt);
        const json automatic = recipe_to_json(recipe);
        QCOMPARE(automatic["allocation"]["max_layer_rate"], json("auto"));
        QVERIFY(!recipe_from_json(automatic, "r").options.allocation.normalizer());
        QVERIFY(!recipe_from_json(automatic, "r").options.allocation.max_layer_rate());
        // Written before the fair ranking (version 1): replayed raw and uncapped, as it was.
        json old = minimal();
        old["exports"] = {{"checkpoint", "out.pt"}};
        const Recipe replayed = recipe_from_json(old, "old.json");
        QCOMPARE(*replayed.options.allocation.normalizer(), ScoreNormalizer::None);
        QCOMPARE(*replayed.options.allocation.max_layer_rate(), 1.0);
    }

    void badRecipesNameTheFileAndTheField_data()
    {
        QTest::addColumn<QString>("patch"); // JSON merged into the minimal recipe
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown top-level field") << R"({"modle": "x"})"
                                                 << "unknown field 'modle'";
        QTest::newRow("unknown nested field") << R"({"allocation": {"rate": 0.5, "rat": 1}})"
                                              << "unknown field 'allocation.rat'";
        QTest::newRow("normalizer") << R"({"allocation": {"normalizer": "median"}})"
                                    << "allocation.normalizer: unknown score normalizer 'median'";
        QTest::newRow("max layer rate")
            << R"({"allocation": {"max_layer_rate": "most"}})"
            << "allocation.max_layer_rate must be a rate in [0, 1] or \"auto\"";
        QTest::newRow("rate above 1") << R"({"allocation": {"rate": 1.5}})"
                                      << "allocation.rate 1.5 is outside [0, 1]";
        QTest::newRow("rate below 0") << R"({"allocation": {"rate": -0.1}})"
                                      << "allocation.rate -0.1 is outside [0, 1]";
        QTest::newRow("rate NaN") << R"({"allocation": {"rate": "NaN"}})"
                                  << "allocation.rate must be a number in [0, 1]";
        QTest::newRow("layer rate") << R"({"allocation": {"layers": {"fc1": {"rate": 2}}}})"
                                    << "allocation.layers.fc1.rate 2 is outside";
        QTest::newRow("criterion") << R"({"importance": {"criterion": "l3"}})"
                                   << "importance.criterion 'l3' is unknown";
        QTest::newRow("granularity") << R"({"importance": {"granularity": "row"}})"
                                     << "importance.granularity";
        QTest::newRow("pattern") << R"({"allocation": {"pattern": "4:2"}})"
                                 << "allocation.pattern: pattern '4:2' needs 0 < N < M";
        QTest::newRow("schedule") << R"({"schedule": {"kind": "cubic"}})"
                                  << "schedule.kind";
        QTest::newRow("steps") << R"({"schedule": {"steps": 0}})"
                               << "schedule.steps must be at least 1";
        QTest::newRow("format") << R"({"format": "other"})"
                                << "not a PruneLab recipe";
        QTest::newRow("version") << R"({"format_version": 7})"
                                 << "version 7 is newer";
        QTest::newRow("no allocation") << R"({"allocation": null})"
                                       << "allocation is missing";
        QTest::newRow("export kind") << R"({"exports": {"onnx": "m.onnx"}})"
                                     << "unknown field 'exports.onnx'";
    }

    void badRecipesNameTheFileAndTheField()
    {
        QFETCH(QString, patch);
        QFETCH(QString, expected);
        json j = minimal();
        j.merge_patch(json::parse(patch.toStdString()));
        if (patch.contains("\"allocation\": {\"layers\""))
            j["allocation"].erase("rate"), j["allocation"].erase("global");
        const QString error = test::errorOf([&] { recipe_from_json(j, "my.json"); });
        QVERIFY2(error.startsWith("my.json: "), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void layerNamesAreCheckedAgainstTheModel()
    {
        json j = minimal();
        j["allocation"]["layers"] = {{"fc9", {{"rate", 0.5}}}};
        const Recipe recipe = recipe_from_json(j, "r.json");
        auto net = create_model(default_model_spec("convnet"));
        const QString error = test::errorOf([&] { check_recipe_layers(recipe, *net, "r.json"); });
        QVERIFY2(error.contains("'fc9'") && error.contains("conv1, conv2, fc1, fc2"),
                 qPrintable(error));
        json k = minimal();
        k["allocation"]["exclude"] = {"conv3"};
        QVERIFY(test::errorOf([&] {
                    check_recipe_layers(recipe_from_json(k, "r"), *net, "r");
                }).contains("conv3"));
    }

    void replayReproducesMasksAndWeightsBitForBit()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath("first.pt");
        const QString recipe = dir.filePath("recipe.json");
        const QStringList data = {"--data", "synthetic",    "--train-limit",
                                  "256",    "--test-limit", "64"};
        QString out, err;
        QCOMPARE(
            test::runCli(
                QStringList{
                    "prune",   "convnet", "--criterion",       "l1",    "--granularity", "filter",
                    "--rate",  "0.4",     "--exclude",         "conv1", "--schedule",    "agp",
                    "--steps", "2",       "--finetune-epochs", "1",     "--seed",        "3",
                    "--out",   first,     "--save-recipe",     recipe} +
                    data,
                &out, &err),
            0);
        QVERIFY(QFile::exists(recipe));
        // Replay into the recipe's folder, by a relative export path.
        json j = json::parse(test::readBytes(recipe));
        j["exports"] = {{"checkpoint", "second.pt"}, {"masks", "masks.pt"}};
        test::writeBytes(recipe, j.dump(2));
        QCOMPARE(test::runCli({"run", recipe, "--json"}, &out, &err), 0);
        QVERIFY(QFile::exists(dir.filePath("masks.pt")));
        const Checkpoint a = load_checkpoint(first.toStdString());
        const Checkpoint b = load_checkpoint(dir.filePath("second.pt").toStdString());
        QCOMPARE(a.masks.size(), b.masks.size());
        QVERIFY(!a.masks.empty());
        for (const auto& [name, mask] : a.masks)
            QVERIFY2(at::equal(mask, b.masks.at(name)), name.c_str());
        const auto wa = state_dict(*a.net);
        const auto wb = state_dict(*b.net);
        for (const auto& [name, t] : wa)
            QVERIFY2(at::equal(t, wb.at(name)), name.c_str());
        // The checkpoint carries its recipe.
        QCOMPARE(a.metadata["recipe"]["allocation"]["rate"].get<double>(), 0.4);
    }

    void engineReplaysARecipeBitForBitWithoutTheCli()
    {
        QTemporaryDir dir;
        Recipe recipe;
        recipe.model = "convnet";
        recipe.data = "synthetic";
        recipe.train_limit = 192;
        recipe.test_limit = 64;
        auto& o = recipe.options;
        o.importance.criterion("taylor").granularity(Granularity::Filter).calibration_batches(2);
        o.allocation.global_rate(0.4);
        o.schedule = Schedule::Linear;
        o.steps = 2;
        o.finetune_epochs = 1;
        o.finetune.seed(5);
        recipe.exports = {{"state_dict", "a_weights.pt"}, {"masks", "a_masks.pt"}};
        const std::string recipe_path = dir.filePath("r.json").toStdString();
        Recipe first = recipe;
        resolve_export_paths(first, recipe_path); // relative to the recipe's folder
        QCOMPARE(first.exports.at("masks"), dir.filePath("a_masks.pt").toStdString());

        std::vector<RecipeProgress> seen;
        const RecipeRunResult a =
            run_recipe(first, "r.json", [&](const RecipeProgress& p) { seen.push_back(p); });
        QVERIFY(!a.cancelled);
        QCOMPARE(a.pruning.steps.size(), size_t(2));
        QVERIFY(a.info.sparsity() > 0.05); // filters of conv layers really pruned
        QCOMPARE(a.paths.size(), size_t(2));
        QVERIFY(!seen.empty() && seen.front().stage == "prune");
        QVERIFY(seen.back().fraction > 0.9);

        // Saved, loaded and replayed: the same bytes.
        save_recipe(recipe, recipe_path);
        Recipe replay = load_recipe(recipe_path);
        replay.exports = {{"state_dict", "b_weights.pt"}, {"masks", "b_masks.pt"}};
        resolve_export_paths(replay, recipe_path);
        QVERIFY(!run_recipe(replay, "r.json").cancelled);
        QCOMPARE(test::readBytes(dir.filePath("b_weights.pt")),
                 test::readBytes(dir.filePath("a_weights.pt")));
        QCOMPARE(test::readBytes(dir.filePath("b_masks.pt")),
                 test::readBytes(dir.filePath("a_masks.pt")));

        // Cancelled before it starts: nothing written; an unwritable path: refused before work.
        std::atomic<bool> cancel{true};
        replay.exports = {{"masks", dir.filePath("c_masks.pt").toStdString()}};
        QVERIFY(run_recipe(replay, "r.json", {}, &cancel).cancelled);
        QVERIFY(!QFile::exists(dir.filePath("c_masks.pt")));
        replay.exports = {{"masks", dir.filePath("no/such/folder/m.pt").toStdString()}};
        QVERIFY(test::errorOf([&] { run_recipe(replay, "r.json"); }).contains("no/such/folder"));
    }

    void windowAndCliWriteTheSameMetadataShape()
    {
        // The same pruning from a recipe (the CLI's path) and from a session (the window's):
        // one writer, so the same keys at the top level and in `pruning`.
        QTemporaryDir dir;
        Recipe recipe;
        recipe.model = "convnet";
        recipe.data = "synthetic";
        recipe.train_limit = 64;
        recipe.test_limit = 32;
        recipe.options.allocation.global_rate(0.5);
        recipe.exports = {{"checkpoint", dir.filePath("cli.pt").toStdString()}};
        QVERIFY(!run_recipe(recipe, "r").cancelled);
        const json cli = load_checkpoint(dir.filePath("cli.pt").toStdString()).metadata;

        auto session = Session::open("convnet");
        session->set_data({"synthetic", 64, 32});
        session->score("l1", "weight");
        session->set_global_rate(0.5);
        session->export_checkpoint(dir.filePath("window.pt").toStdString());
        const json window = load_checkpoint(dir.filePath("window.pt").toStdString()).metadata;

        auto keys = [](const json& object) {
            QStringList names;
            for (const auto& [key, value] : object.items())
                names << QString::fromStdString(key);
            return names;
        };
        QCOMPARE(keys(window["pruning"]), keys(cli["pruning"]));
        QCOMPARE(window["pruning"]["schedule"].get<std::string>(), std::string("interactive"));
        QCOMPARE(cli["pruning"]["schedule"].get<std::string>(), std::string("oneshot"));
        QVERIFY(std::abs(window["pruning"]["sparsity"].get<double>() -
                         cli["pruning"]["sparsity"].get<double>()) < 1e-6);
        for (const json* metadata : {&cli, &window}) {
            QCOMPARE((*metadata)["data"], cli["data"]);
            QVERIFY((*metadata)["prunelab_version"].is_string());
        }
    }

    void windowAndCliPruneTheSameTiedElements()
    {
        // Half of every layer's weights score 0.25, half 0.5: a 37% cut falls inside the ties
        // (and empties no layer). One ranking: the window's global and typed rates prune
        // exactly the elements the CLI does.
        QTemporaryDir dir;
        Checkpoint tied;
        tied.net = create_model(default_model_spec("convnet"), 1);
        {
            at::NoGradGuard no_grad;
            for (auto& p : tied.net->named_parameters()) {
                const auto even = at::arange(p.value().numel()).remainder(2).eq(0);
                p.value().copy_(
                    at::where(even, at::full({}, 0.25), at::full({}, 0.5)).view(p.value().sizes()));
            }
        }
        const std::string model = dir.filePath("tied.pt").toStdString();
        save_checkpoint(tied, model);
        const ModelInfo dense = describe_model(*tied.net);

        for (const bool global : {true, false}) {
            const std::string cli_out = dir.filePath("cli.pt").toStdString();
            const std::string window_out = dir.filePath("window.pt").toStdString();
            // The same elements pruned: a missing mask keeps everything.
            auto samePruning = [&] {
                const auto a = load_checkpoint(cli_out).masks;
                const auto b = load_checkpoint(window_out).masks;
                std::set<std::string> names;
                for (const auto* masks : {&a, &b})
                    for (const auto& [name, mask] : *masks)
                        names.insert(name);
                for (const auto& name : names) {
                    const auto pruned = [&](const std::map<std::string, at::Tensor>& m) {
                        const auto it = m.find(name);
                        return it == m.end() ? int64_t(0)
                                             : it->second.logical_not().sum().item<int64_t>();
                    };
                    if (pruned(a) != pruned(b))
                        return false;
                    if (a.count(name) && b.count(name) && !at::equal(a.at(name), b.at(name)))
                        return false;
                }
                return !names.empty();
            };
            Recipe recipe;
            recipe.model = model;
            recipe.data = "synthetic";
            recipe.train_limit = 32;
            recipe.test_limit = 32;
            if (global)
                recipe.options.allocation.global_rate(0.37);
            else
                recipe.options.allocation.layers["fc1"].rate = 0.37;
            recipe.exports = {{"checkpoint", cli_out}};
            QVERIFY(!run_recipe(recipe, "tied").cancelled);

            auto session = Session::open(model);
            session->set_data({"synthetic", 32, 32});
            session->score("l1", "weight");
            if (global)
                session->set_global_rate(0.37);
            else
                session->set_layer_rate("fc1", 0.37);
            session->export_checkpoint(window_out);
            QVERIFY2(samePruning(), global ? "global rate" : "layer rate");
            // Exactly the rate, not every tied element.
            const ModelInfo shown = session->info();
            if (global)
                QCOMPARE(shown.prunable_weights - shown.nonzero_weights,
                         int64_t(std::nearbyint(0.37 * double(dense.prunable_weights))));
            // Undo keeps the exact cut.
            const LayerCuts cuts = session->cuts();
            session->set_thresholds({});
            session->set_cuts(cuts);
            session->export_checkpoint(window_out);
            QVERIFY(samePruning());
        }
    }

    void distillationStepInARecipe()
    {
        QTemporaryDir dir;
        json j = minimal();
        j["model"] = "default";
        j["data"] = {{"spec", "synthetic"}, {"train_limit", 128}, {"test_limit", 64}};
        j["distill"] = {{"temperature", 1.0}, {"alpha", 1.0}, {"epochs", 1}};
        j["exports"] = {{"checkpoint", "kd.pt"}};
        const Recipe parsed = recipe_from_json(j, "kd.json");
        QVERIFY(parsed.distill && parsed.distill->teacher.empty() && parsed.distill->epochs == 1);
        QCOMPARE(recipe_to_json(parsed)["distill"]["alpha"].get<double>(), 1.0);
        json bad = j;
        bad["distill"]["alpha"] = 3;
        QVERIFY(test::errorOf([&] { recipe_from_json(bad, "kd.json"); }).contains("distill.alpha"));
        bad = j;
        bad["distill"]["temprature"] = 2;
        QVERIFY(test::errorOf([&] {
                    recipe_from_json(bad, "kd.json");
                }).contains("distill.temprature"));
        if (!QFile::exists(QString(PRUNELAB_CLI_PATH)))
            return;
        const QString path = dir.filePath("kd.json");
        test::writeBytes(path, j.dump());
        QString out, err;
        QVERIFY2(test::runCli({"run", path, "--json"}, &out, &err) == 0, qPrintable(err));
        const Checkpoint result = load_checkpoint(dir.filePath("kd.pt").toStdString());
        QVERIFY(result.metadata["pruning"]["distillation"].is_object());
        QCOMPARE(result.metadata["pruning"]["distillation"]["teacher"].get<std::string>(),
                 std::string("default"));
        QVERIFY(std::abs(describe_model(*result.net).sparsity() - 0.5) < 1e-3); // masks held
    }

    void aRecipeWritesOnlyBesideItself()
    {
        // Issue 16 item 2: a shared recipe's export paths replaced an unrelated file.
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("shared");
        const QString victim = dir.filePath("victim.json");
        test::writeBytes(victim, "mine");
        const QString recipe = dir.filePath("shared/r.json");
        json j = minimal();
        j["data"] = {{"spec", "synthetic"}, {"train_limit", 64}, {"test_limit", 32}};
        QString out, err;
        for (const std::string& path : {std::string("../victim.json"), victim.toStdString()}) {
            j["exports"] = {{"checkpoint", "p.pt"}, {"report", path}};
            test::writeBytes(recipe, j.dump());
            QCOMPARE(test::runCli({"run", recipe}, &out, &err), 1);
            QVERIFY2(err.contains("exports.report") && err.contains("outside the recipe's folder"),
                     qPrintable(err));
            QCOMPARE(test::readBytes(victim), std::string("mine"));
            QVERIFY(!QFile::exists(dir.filePath("shared/p.pt"))); // refused before any work
        }
        // The user can vouch for it.
        QCOMPARE(test::runCli({"run", recipe, "--allow-paths"}, &out, &err), 0);
        QVERIFY(test::readBytes(victim) != "mine");
        // prune --save-recipe writes paths beside the recipe relative to it: it replays as is.
        const QString saved = dir.filePath("shared/saved.json");
        QVERIFY2(test::runCli({"prune", "default", "--rate", "0.3", "--data", "synthetic",
                               "--train-limit", "32", "--test-limit", "32", "--out",
                               dir.filePath("shared/q.pt"), "--save-recipe", saved},
                              &out, &err) == 0,
                 qPrintable(err));
        QVERIFY(
            QString::fromStdString(test::readBytes(saved)).contains("\"checkpoint\": \"q.pt\""));
        QVERIFY2(test::runCli({"run", saved}, &out, &err) == 0, qPrintable(err));
    }

    void badRecipeFileLeavesOutputsAlone()
    {
        QTemporaryDir dir;
        const QString recipe = dir.filePath("bad.json");
        const QString existing = dir.filePath("out.pt");
        test::writeBytes(existing, "keep me");
        json j = minimal();
        j["allocation"]["layers"] = {{"fc9", {{"rate", 0.5}}}};
        j["data"] = {{"spec", "synthetic"}, {"train_limit", 64}, {"test_limit", 32}};
        j["exports"] = {{"checkpoint", "out.pt"}};
        test::writeBytes(recipe, j.dump());
        QString out, err;
        QCOMPARE(test::runCli({"run", recipe}, &out, &err), 1);
        QVERIFY2(err.contains("bad.json") && err.contains("fc9"), qPrintable(err));
        QCOMPARE(test::readBytes(existing), std::string("keep me"));
        test::writeBytes(recipe, "{ not json");
        QCOMPARE(test::runCli({"run", recipe}, &out, &err), 1);
        QVERIFY2(err.contains("bad.json") && err.contains("not valid JSON"), qPrintable(err));
        QCOMPARE(test::runCli({"run", dir.filePath("missing.json")}, &out, &err), 1);
        QVERIFY(err.contains("missing.json"));
        // Issue 16: JSON string sizes capped — a 65 MB recipe is refused before it is parsed.
        test::writeBytes(recipe, "{\"comment\": \"" + std::string(65 << 20, 'x') + "\"}");
        const QString huge = test::errorOf([&] { load_recipe(recipe.toStdString()); });
        QVERIFY2(huge.contains("bad.json") && huge.contains("larger than the 64 MB"),
                 qPrintable(huge));
    }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "test_recipe.moc"
