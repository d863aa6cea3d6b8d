// Session: the torch-free handle the window edits through, and the jobs it hands to a worker.

#include "engine/interop/checkpoint.h"
#include "engine/interop/script_net.h"
#include "engine/interop/tensor_archive.h"
#include "engine/session/session.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace prunelab;

namespace {

/// Runs a job on this thread as the worker would, then finishes it.
JobOutcome runJob(Session& session, std::unique_ptr<SessionJob> job,
                  std::vector<JobEvent>* events = nullptr,
                  std::function<bool(const JobEvent&)> cancelWhen = {})
{
    std::atomic<bool> cancel{false};
    job->run(
        [&](const JobEvent& e) {
            if (events)
                events->push_back(e);
            if (cancelWhen && cancelWhen(e))
                cancel = true;
        },
        cancel);
    return job->finish(session);
}

int64_t countKept(const std::map<std::string, std::vector<bool>>& bits, const std::string& name)
{
    const auto& v = bits.at(name);
    return std::count(v.begin(), v.end(), true);
}

} // namespace

class TestSession : public QObject
{
    Q_OBJECT
private slots:
    void builtinsSayWhetherTheyAreTrained()
    {
        const auto models = Session::builtin_models();
        QCOMPARE(models.front().name, std::string("default"));
        QVERIFY(models.front().trained);
        const auto vgg = std::find_if(models.begin(), models.end(),
                                      [](const BuiltinModel& m) { return m.name == "vgg-small"; });
        QVERIFY(vgg != models.end());
        QVERIFY(!vgg->trained);
        QCOMPARE(vgg->input_shape, (std::vector<int64_t>{3, 32, 32}));
        QVERIFY(vgg->description.find("CIFAR-10") != std::string::npos);
        QVERIFY(!Session::open("default")->needs_training());
        QVERIFY(Session::open("lenet5")->needs_training());
    }

    void dataProblemsAreNamedBeforeAnyJob()
    {
        auto session = Session::open("default");
        QVERIFY(!session->data_is_a_stand_in());
        QCOMPARE(session->data_problem({"synthetic"}), std::string()); // shaped like the model
        QCOMPARE(session->data_problem({"synthetic:1,28,28,10"}), std::string());
        QCOMPARE(session->data_problem({"synthetic:3,32,32"}),
                 std::string("synthetic:3,32,32 samples are 3×32×32; the model takes 1×28×28"));
        QVERIFY(QString::fromStdString(session->data_problem({"synthetic:1,28,28,20"}))
                    .contains("20 classes; the model has 10 outputs"));
        QVERIFY(QString::fromStdString(session->data_problem({"cifar10:/nonexistent/cifar"}))
                    .contains("/nonexistent/cifar"));
        if (test::fashionMnistAvailable())
            QCOMPARE(session->data_problem({"fashion-mnist"}), std::string());
        // A model nothing known fits: its synthetic data is a stand-in the window asks about.
        auto cifar = Session::open("vgg-small");
        QCOMPARE(cifar->data_spec(), std::string("synthetic"));
        QVERIFY(cifar->data_is_a_stand_in());
        QVERIFY(QString::fromStdString(cifar->data_problem({"fashion-mnist"}))
                    .contains("the model takes 3×32×32"));
    }

    void layerRatesLocksAndExclusions()
    {
        auto session = Session::open("convnet");
        session->score("l1", "weight");
        const auto fc1 = session->set_layer_rate("fc1", 0.4);
        QCOMPARE(fc1.pruned, 6400); // 40% of 16,000
        QVERIFY(
            test::errorOf([&] { session->set_layer_rate("fc1", 1.5); }).contains("outside [0, 1]"));
        QVERIFY(test::errorOf([&] {
                    session->set_layer_rate("fc1", std::nan(""));
                }).contains("outside"));
        QVERIFY(test::errorOf([&] { session->set_layer_rate("nope", 0.5); }).contains("nope"));
        QCOMPARE(session->prune_state("fc1").pruned, 6400); // failed calls changed nothing

        session->set_locked("fc1", true);
        session->set_excluded("conv1", true);
        session->set_global_rate(0.6);
        QCOMPARE(session->prune_state("fc1").pruned, 6400); // locked: kept its rate
        QCOMPARE(session->prune_state("conv1").pruned, 0);  // excluded: never pruned
        QVERIFY(session->prune_state("conv2").pruned > 0);
        QVERIFY(test::errorOf([&] { session->set_threshold("conv1", 1.0f); }).contains("excluded"));
        // Unlocking lets the next global move rank fc1 again.
        session->set_locked("fc1", false);
        session->set_global_rate(0.0);
        QCOMPARE(session->prune_state("fc1").pruned, 0);
    }

    void recipeAfterAFineTuneReplaysItsAccuracy()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        QTemporaryDir dir;
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 600, 300});
        session->score("l1", "weight");
        session->set_global_rate(0.7);
        FineTuneSettings settings;
        settings.epochs = 1;
        settings.lr = 1e-3;
        settings.seed = 5;
        runJob(*session, session->make_fine_tune_job(settings));
        QVERIFY(session->accuracy());
        const QString recipe = dir.filePath("tuned.recipe.json");
        session->export_recipe(recipe.toStdString(), "tuned.pt");
        QString out, err;
        QVERIFY2(test::runCli({"run", recipe, "--json"}, &out, &err) == 0, qPrintable(err));
        auto replayed = Session::open(dir.filePath("tuned.pt").toStdString());
        QCOMPARE(replayed->mask_bits(), session->mask_bits());
        // Same weights: the recipe holds out the same validation split, so `run` fine-tunes on
        // the very samples the window did. (The window measured the validation split, `run`
        // reports the test split: their accuracies are not comparable.)
        session->save(dir.filePath("p.pt").toStdString(), dir.filePath("p.state.pt").toStdString());
        const auto mine = load_checkpoint(dir.filePath("p.pt").toStdString());
        const auto theirs = load_checkpoint(dir.filePath("tuned.pt").toStdString());
        const auto theirParameters = theirs.net->named_parameters();
        for (const auto& item : mine.net->named_parameters())
            QVERIFY2(test::allClose(item.value(), theirParameters[item.key()], 1e-5),
                     item.key().c_str());
        // The recipe survives a project round trip; pruning more after the fine-tune makes it
        // a thresholds-only recipe that says so.
        auto project = Session::open_saved(dir.filePath("p.pt").toStdString(),
                                           dir.filePath("p.state.pt").toStdString());
        project->export_recipe(dir.filePath("again.json").toStdString(), "again.pt");
        QFile again(dir.filePath("again.json"));
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(again.readAll()).contains("and the fine-tune that followed"));
        project->set_global_rate(0.9);
        project->export_recipe(dir.filePath("more.json").toStdString(), "more.pt");
        QFile more(dir.filePath("more.json"));
        QVERIFY(more.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(more.readAll()).contains("not that training"));
    }

    void measuresOnTheValidationSplitOnlyWhenTheModelNeverSawIt()
    {
        QTemporaryDir dir;
        const QString held = dir.filePath("held.pt"), whole = dir.filePath("whole.pt");
        QJsonObject trained;
        for (const auto& [path, fraction] : {std::pair{held, "0.1"}, std::pair{whole, "0"}}) {
            QString out, err;
            QVERIFY2(test::runCli({"train", "convnet", "--data", "synthetic", "--train-limit",
                                   "200", "--test-limit", "100", "--epochs", "1", "--val-fraction",
                                   fraction, "--out", path, "--json"},
                                  &out, &err) == 0,
                     qPrintable(err));
            if (path == held)
                trained = test::lastJson(out);
        }
        // Trained with a tenth held out: measured there, the recorded figure shown at once.
        QVERIFY(trained.contains("validation_accuracy"));
        auto heldOut = Session::open(held.toStdString());
        QCOMPARE(heldOut->accuracy_split(), std::string("validation"));
        QCOMPARE(*heldOut->accuracy(), trained["validation_accuracy"].toDouble());
        // Trained on all of it (as every model before validation splits): the test split.
        auto sawAll = Session::open(whole.toStdString());
        QCOMPARE(sawAll->accuracy_split(), std::string("test"));
        QCOMPARE(sawAll->accuracy(), sawAll->recorded_accuracy());
        QCOMPARE(sawAll->data().validation_fraction, 0.0);
    }

    void savedSessionReopensWithTheSameMasksAndThresholds()
    {
        QTemporaryDir dir;
        auto session = Session::open("default");
        session->score("random", "weight"); // scores that are not recomputable from weights
        session->set_locked("conv2", true);
        session->set_global_rate(0.55);
        session->set_data({"fashion-mnist", 1000, 200});
        const auto bits = session->mask_bits();
        QVERIFY(!bits.empty());
        const std::string ckpt = dir.filePath("run.pt").toStdString();
        const std::string state = dir.filePath("run.state.pt").toStdString();
        session->save(ckpt, state);

        auto reopened = Session::open_saved(ckpt, state);
        QCOMPARE(reopened->mask_bits(), bits);
        QCOMPARE(reopened->thresholds(), session->thresholds());
        QCOMPARE(reopened->criterion(), std::string("random"));
        QCOMPARE(reopened->locked(), std::set<std::string>{"conv2"});
        QCOMPARE(reopened->data().train_limit, int64_t(1000));
        QCOMPARE(reopened->info().nonzero_weights, session->info().nonzero_weights);
        // The opened weights came along: reset brings back the dense model.
        reopened->reset_to_dense();
        QCOMPARE(reopened->info().sparsity(), 0.0);
        QCOMPARE(reopened->opened_info().nonzero_weights, session->opened_info().nonzero_weights);

        // Saved scores that hold NaN (a damaged or hand-edited state) are an error naming the
        // file and the layer — the window aborted in torch.histc on them (issue 16, item 4).
        {
            auto archive = load_tensor_archive(state, "prunelab-session", 1);
            archive.groups["scores"]["conv2"][3] = NAN;
            save_tensor_archive(archive, state);
            const QString error = test::errorOf([&] { Session::open_saved(ckpt, state); });
            QVERIFY2(error.contains("run.state.pt") && error.contains("conv2") &&
                         error.contains("NaN"),
                     qPrintable(error));
        }
        // A damaged state file is an error naming it; nothing is half-opened.
        test::writeBytes(QString::fromStdString(state), "not a pickle");
        QVERIFY(test::errorOf([&] { Session::open_saved(ckpt, state); }).contains("run.state.pt"));
        // A save into a missing folder names the path and leaves the old files alone.
        const std::string missing = dir.filePath("missing/run.pt").toStdString();
        QVERIFY(!test::errorOf([&] { session->save(missing, missing + ".state"); }).isEmpty());
        QVERIFY(QFile::exists(QString::fromStdString(ckpt)));
    }

    void fineTuneJobHoldsMasksAndBecomesTheBase()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 640, 200});
        session->score("l1", "weight");
        session->set_global_rate(0.7);
        const auto bits = session->mask_bits();
        const int64_t nonzeroBefore = session->info().nonzero_weights;
        const uint64_t generation = session->generation();

        FineTuneSettings settings;
        settings.epochs = 1;
        std::vector<JobEvent> events;
        const auto outcome = runJob(*session, session->make_fine_tune_job(settings), &events);
        QVERIFY(!outcome.cancelled);
        QVERIFY(outcome.accuracy && *outcome.accuracy > 0.3);
        QVERIFY(std::any_of(events.begin(), events.end(),
                            [](const JobEvent& e) { return e.kind == JobEvent::Kind::TrainStep; }));
        QVERIFY(std::any_of(events.begin(), events.end(),
                            [](const JobEvent& e) { return e.kind == JobEvent::Kind::Epoch; }));
        QVERIFY(session->is_finetuned());
        QVERIFY(session->generation() > generation);
        QCOMPARE(session->mask_bits(), bits);                     // the same elements pruned
        QCOMPARE(session->info().nonzero_weights, nonzeroBefore); // and still exactly zero
        // The committed zeros show as pruned at a threshold of 0: rates match the sparsity.
        const ModelInfo info = session->info();
        for (const auto& layer : info.layers) {
            QCOMPARE(session->thresholds().at(layer.name), 0.0f);
            QCOMPARE(session->prune_state(layer.name).pruned,
                     layer.weight_count - layer.nonzero_weights);
        }
        // Committed: a global rate of 0 keeps the fine-tuned pruning; only reset undoes it.
        session->set_global_rate(0.0);
        QCOMPARE(session->info().nonzero_weights, nonzeroBefore);
        session->reset_to_dense();
        QCOMPARE(session->info().sparsity(), 0.0);
        QVERIFY(!session->is_finetuned());
    }

    void stoppedFineTuneKeepsAConsistentModel()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 2000, 200});
        session->score("l1", "weight");
        session->set_global_rate(0.5);
        const auto bits = session->mask_bits();
        FineTuneSettings settings;
        settings.epochs = 3;
        int steps = 0;
        const auto outcome = runJob(
            *session, session->make_fine_tune_job(settings), nullptr,
            [&](const JobEvent& e) { return e.kind == JobEvent::Kind::TrainStep && ++steps >= 5; });
        QVERIFY(outcome.cancelled);
        QVERIFY2(QString::fromStdString(outcome.summary).contains("last completed step"),
                 outcome.summary.c_str());
        QCOMPARE(session->mask_bits(), bits);
        QVERIFY(!session->accuracy()); // not measured after the stop
        const auto eval = runJob(*session, session->make_evaluate_job());
        QVERIFY(eval.accuracy && *eval.accuracy > 0.5);
        QCOMPARE(session->accuracy(), eval.accuracy);
    }

    void residualFollowersNameTheirLeader()
    {
        auto session = Session::open("resnet20");
        session->score("l1", "filter");
        QCOMPARE(session->group_leader("layer1.1.conv2"), std::string("conv1"));
        QCOMPARE(session->group_leader("conv1"), std::string());
        QCOMPARE(session->group_leader("layer1.1.conv1"), std::string());
        QVERIFY(!session->applies_to("layer1.1.conv2"));
        session->set_layer_rate("conv1", 0.5); // the leader's rate prunes its followers
        QCOMPARE(countKept(session->mask_bits(), "layer1.1.bn2.weight"), int64_t(8));
        // A project reopens with its groups: scores read back from the file get them again.
        QTemporaryDir dir;
        session->save(dir.filePath("r.pt").toStdString(), dir.filePath("r.state.pt").toStdString());
        auto project = Session::open_saved(dir.filePath("r.pt").toStdString(),
                                           dir.filePath("r.state.pt").toStdString());
        QVERIFY(project->applies_to("conv1"));
        QVERIFY(!project->applies_to("layer1.1.conv2"));
        QVERIFY(!project->applies_to("fc")); // the classes
        QCOMPARE(project->group_leader("layer1.1.conv2"), std::string("conv1"));
        QCOMPARE(project->mask_bits(), session->mask_bits());
        session->score("l1", "weight");
        QCOMPARE(session->group_leader("layer1.1.conv2"), std::string()); // weights are their own
    }

    void compactionJobTimesThreeModelsAndExportsTheSmallOne()
    {
        auto session = Session::open("vgg-small");
        session->score("l1", "filter");
        QVERIFY(!session->compaction());
        // Nothing pruned: a no-op with a note, nothing to export.
        auto outcome = runJob(*session, session->make_compact_job(2));
        QVERIFY(QString::fromStdString(outcome.summary).contains("nothing to remove"));
        QVERIFY(!session->compaction()->changed);
        QTemporaryDir dir;
        QVERIFY(!test::errorOf([&] {
                     session->export_compacted(dir.filePath("x.pt").toStdString());
                 }).isEmpty());

        session->set_global_rate(0.5);
        outcome = runJob(*session, session->make_compact_job(2));
        const auto report = session->compaction();
        QVERIFY(report && report->changed);
        QCOMPARE(report->rows.size(), size_t(3));
        QCOMPARE(report->rows[2].label, std::string("compacted"));
        QVERIFY(report->rows[2].params < report->rows[1].params);
        QVERIFY(report->rows[2].flops < report->rows[0].flops);
        QCOMPARE(report->rows[0].params, report->rows[1].params); // masking stores every zero
        for (const auto& row : report->rows)
            QVERIFY(row.latency_ms_1 > 0.0 && row.latency_ms_64 > row.latency_ms_1);
        QVERIFY(report->max_abs_diff <= 1e-4);
        QVERIFY(QString::fromStdString(outcome.summary).startsWith("Compacted"));
        const std::string path = dir.filePath("small.pt").toStdString();
        session->export_compacted(path);
        auto small = Session::open(path);
        QCOMPARE(small->info().total_params, report->rows[2].params);
        // Any change of the shown model makes the compaction stale.
        session->set_global_rate(0.3);
        QVERIFY(!session->compaction());
        QVERIFY(test::errorOf([&] { session->export_compacted(path); }).contains("Compact"));
    }

    void evaluationOfAnOlderStateIsNotRecorded()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 100, 300});
        session->score("l1", "weight");
        session->set_global_rate(0.3);
        auto job = session->make_evaluate_job();
        std::atomic<bool> cancel{false};
        job->run([](const JobEvent&) {}, cancel);
        session->set_global_rate(0.6); // the user moved on while it ran
        const auto outcome = job->finish(*session);
        QVERIFY(outcome.accuracy);
        QVERIFY(!session->accuracy());
        QVERIFY(QString::fromStdString(outcome.summary).contains("earlier state"));
    }

    void sweepJobReportsPointsAndLeavesTheModel()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 256, 300});
        session->score("l1", "weight");
        session->set_global_rate(0.2);
        const auto bits = session->mask_bits();
        SweepSettings settings;
        settings.criteria = {"l1", "random"};
        settings.sparsities = {0.5, 0.9};
        std::vector<JobEvent> events;
        const auto outcome = runJob(*session, session->make_sweep_job(settings), &events);
        QCOMPARE(outcome.points.size(), size_t(4));
        QCOMPARE(std::count_if(events.begin(), events.end(),
                               [](const JobEvent& e) { return e.kind == JobEvent::Kind::Point; }),
                 long(4));
        QVERIFY(outcome.dense_accuracy && *outcome.dense_accuracy > 0.8);
        for (const auto& p : outcome.points) {
            QVERIFY(p.params_kept < 1.0 && p.flops_kept < 1.0);
            QVERIFY(p.sparsity > 0.45);
        }
        // l1 beats random at 90%.
        QVERIFY(outcome.points[1].accuracy > outcome.points[3].accuracy);
        QCOMPARE(session->mask_bits(), bits);
        QVERIFY(outcome.warnings.empty());

        // From a base with committed masks (60%), a 30% point cannot be below them: it is
        // measured at the base's sparsity, and the outcome says so instead of collapsing points.
        session->set_global_rate(0.6);
        session->apply();
        settings.criteria = {"l1"};
        settings.sparsities = {0.3, 0.8};
        const auto fromPruned = runJob(*session, session->make_sweep_job(settings), nullptr);
        QCOMPARE(fromPruned.warnings.size(), size_t(1));
        QVERIFY2(QString::fromStdString(fromPruned.warnings[0]).contains("already 60.0% sparse"),
                 fromPruned.warnings[0].c_str());
        QVERIFY(QString::fromStdString(fromPruned.warnings[0]).contains("30.0%"));
    }

    void applyCommitsTheShownMasks()
    {
        auto session = Session::open("default");
        session->score("l1", "weight");
        QVERIFY(test::errorOf([&] { session->apply(); }).contains("nothing is pruned"));
        session->set_global_rate(0.5);
        const auto bits = session->mask_bits();
        session->apply();
        QCOMPARE(session->mask_bits(), bits);
        QVERIFY(!session->is_finetuned()); // applying is not training
        session->set_global_rate(0.2);     // below what is committed: nothing comes back
        QCOMPARE(session->info().sparsity(), 0.5);
        session->set_global_rate(0.7);
        QVERIFY(std::abs(session->info().sparsity() - 0.7) < 1e-3);
    }

    void sensitivityDrivesTheGlobalRate()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 256, 400});
        session->score("l1", "weight");
        QVERIFY(!session->has_sensitivity());
        const auto outcome = runJob(*session, session->make_sensitivity_job());
        QVERIFY(session->has_sensitivity());
        QCOMPARE(outcome.points.size(), size_t(4 * 9)); // 4 layers × 9 sparsities
        session->set_global_rate(0.7);
        const auto ranked = session->info();
        session->set_auto_allocation(true);
        session->set_global_rate(0.7);
        const auto allocated = session->info();
        // About the same total, spread differently.
        QVERIFY2(std::abs(allocated.sparsity() - 0.7) < 0.05,
                 std::to_string(allocated.sparsity()).c_str());
        bool differs = false;
        for (size_t i = 0; i < ranked.layers.size(); ++i)
            differs =
                differs || ranked.layers[i].nonzero_weights != allocated.layers[i].nonzero_weights;
        QVERIFY(differs);
        // Rescoring with another criterion makes the analysis stale.
        session->score("l2", "weight");
        QVERIFY(!session->has_sensitivity());
    }

    void distillJobsIntoPrunedAndSmallerStudents()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        QTemporaryDir dir;
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 512, 300});
        session->score("l1", "weight");
        session->set_global_rate(0.9);
        const auto bits = session->mask_bits();
        DistillSettings settings;
        settings.epochs = 1;
        auto outcome = runJob(*session, session->make_distill_job(settings));
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.points.size(), size_t(1));
        QCOMPARE(outcome.points[0].series, std::string("distilled"));
        QVERIFY(std::abs(outcome.points[0].sparsity - 0.9) < 1e-3);
        QCOMPARE(session->mask_bits(), bits); // masks held, the result is the new base
        QVERIFY(session->is_finetuned());
        QVERIFY(session->accuracy().has_value());

        // A fresh convnet-small: written where asked; the session's model is untouched.
        settings.student = "convnet-small";
        settings.out_path = dir.filePath("small.pt").toStdString();
        const uint64_t generation = session->generation();
        outcome = runJob(*session, session->make_distill_job(settings));
        QCOMPARE(outcome.points[0].series, std::string("distilled convnet-small"));
        QVERIFY(outcome.points[0].params_kept < 0.25);
        QVERIFY(QFile::exists(dir.filePath("small.pt")));
        QCOMPARE(session->generation(), generation);
        QVERIFY(Session::open(settings.out_path)->info().total_params < 5000);

        settings.out_path.clear();
        QVERIFY(
            test::errorOf([&] { session->make_distill_job(settings); }).contains("where to write"));
        settings.out_path = dir.filePath("missing/x.pt").toStdString();
        QVERIFY(!test::errorOf([&] { session->make_distill_job(settings); }).isEmpty());
        settings.student = "nonsense";
        settings.out_path = dir.filePath("x.pt").toStdString();
        QVERIFY(test::errorOf([&] { session->make_distill_job(settings); }).contains("nonsense"));
        settings.student = "pruned";
        settings.alpha = -0.1;
        QVERIFY(test::errorOf([&] { session->make_distill_job(settings); }).contains("alpha"));
    }

    void sweepCanRecoverByDistillation()
    {
        if (!test::fashionMnistAvailable())
            QSKIP("needs dataset-fashion-mnist");
        auto session = Session::open("default");
        session->set_data({"fashion-mnist", 256, 200});
        session->score("l1", "weight");
        SweepSettings settings;
        settings.criteria = {"l1"};
        settings.sparsities = {0.9};
        settings.finetune_epochs = 1;
        settings.distill = true;
        const auto outcome = runJob(*session, session->make_sweep_job(settings));
        QCOMPARE(outcome.points.size(), size_t(1));
        QCOMPARE(outcome.points[0].series, std::string("l1 + 1 ep KD"));
        settings.finetune_epochs = 0;
        QVERIFY(test::errorOf([&] { session->make_sweep_job(settings); }).contains("epoch"));
    }

    void measuresAModelWithoutClassesByFidelity()
    {
        // A feature extractor made in Python: no classes, no Fashion-MNIST shape. The session
        // picks synthetic data shaped like its input and measures how closely its outputs
        // follow the model as opened.
        QTemporaryDir dir;
        const QString path = dir.filePath("features.pt");
        QProcess python;
        python.start("/usr/bin/python3",
                     {"-c",
                      "import sys, torch, torch.nn as nn; torch.manual_seed(0); "
                      "torch.jit.save(torch.jit.script(nn.Sequential(nn.Conv2d(3, 8, 3), "
                      "nn.ReLU(), nn.Conv2d(8, 4, 3))), sys.argv[1], _extra_files="
                      "{'prunelab/input_shape.json': '{\"input_shape\": [3, 16, 16]}'})",
                      path});
        if (!python.waitForFinished(120000) || python.exitCode() != 0)
            QSKIP("python3-torch is needed to make a TorchScript model");
        auto session = Session::open(path.toStdString());
        QCOMPARE(session->data_spec(), std::string("synthetic"));
        QVERIFY(session->measures_fidelity());
        session->set_data({"synthetic", 64, 32});
        session->score("l1", "weight");
        runJob(*session, session->make_evaluate_job());
        QVERIFY(session->accuracy() && std::abs(*session->accuracy() - 1.0) < 1e-9);
        QCOMPARE(session->relative_l2_error().value_or(-1.0), 0.0);
        session->set_global_rate(0.6);
        const auto outcome = runJob(*session, session->make_evaluate_job());
        QVERIFY2(outcome.summary.find("Fidelity") != std::string::npos, outcome.summary.c_str());
        QVERIFY(session->accuracy() && *session->accuracy() < 1.0);
        QVERIFY(session->relative_l2_error().value_or(0.0) > 0.0);
    }

    void opensAndPrunesATorchScriptModel()
    {
        QTemporaryDir dir;
        QProcess python;
        python.start("/usr/bin/python3",
                     {QString(PRUNELAB_SOURCE_DIR) + "/tests/python/make_torchscript_models.py",
                      dir.path()});
        if (!python.waitForFinished(300000) || python.exitCode() != 0)
            QSKIP("python3-torch and torchvision are needed to make TorchScript models");
        // A Python model that does not say its input shape: refused until given, never guessed.
        QVERIFY(test::errorOf([&] {
                    Session::open(dir.filePath("mlp.pt").toStdString());
                }).contains("--input-shape"));
        auto session = Session::open(dir.filePath("mlp.pt").toStdString(), {{1, 28, 28}});
        const ModelInfo info = session->info();
        QCOMPARE(info.spec.name, std::string("torchscript"));
        QCOMPARE(info.layers.size(), size_t(3));
        QCOMPARE(info.layers[0].name, std::string("Encoder_Block.0"));
        session->score("l1", "weight");
        session->set_global_rate(0.5);
        QCOMPARE(session->info().sparsity(), 0.5);
        const QString exported = dir.filePath("pruned_ts.pt");
        session->export_checkpoint(exported.toStdString()); // TorchScript again
        auto reopened = Session::open(exported.toStdString());
        QCOMPARE(reopened->info().sparsity(), 0.5);
        // A project of a TorchScript model: the model file stays TorchScript, and the project
        // reopens with the same thresholds and masks.
        session->set_layer_rate("Encoder_Block.2", 0.9);
        session->save(dir.filePath("p.pt").toStdString(), dir.filePath("p.state.pt").toStdString());
        QVERIFY(is_torchscript_file(dir.filePath("p.pt").toStdString()));
        auto project = Session::open_saved(dir.filePath("p.pt").toStdString(),
                                           dir.filePath("p.state.pt").toStdString());
        QCOMPARE(project->mask_bits(), session->mask_bits());
        QCOMPARE(project->thresholds(), session->thresholds());
        QCOMPARE(project->info().spec.input_shape, session->info().spec.input_shape);
        project->reset_to_dense(); // the opened weights came back too
        QCOMPARE(project->info().sparsity(), 0.0);
        session->set_global_rate(0.5);
        if (!test::fashionMnistAvailable())
            return;
        // Fine-tuning runs through the scripted forward, on a copy, masks held.
        session->set_data({"fashion-mnist", 512, 200});
        const auto bits = session->mask_bits();
        FineTuneSettings settings;
        settings.epochs = 1;
        const auto outcome = runJob(*session, session->make_fine_tune_job(settings));
        QVERIFY(outcome.accuracy && *outcome.accuracy > 0.3);
        QCOMPARE(session->mask_bits(), bits);
    }

    void badJobSettingsAreClearErrors()
    {
        auto session = Session::open("convnet");
        session->score("l1", "weight");
        FineTuneSettings ft;
        ft.epochs = 0;
        QVERIFY(test::errorOf([&] { session->make_fine_tune_job(ft); }).contains("epoch"));
        IterateSettings it;
        it.target = 1.0;
        QVERIFY(test::errorOf([&] { session->make_iterate_job(it); }).contains("[0, 1)"));
        SweepSettings sw;
        sw.criteria.clear();
        QVERIFY(test::errorOf([&] { session->make_sweep_job(sw); }).contains("criterion"));
        QVERIFY(
            test::errorOf([&] { session->make_score_job("bogus", "weight"); }).contains("bogus"));
        // A data set that does not exist fails in run(), with its name.
        session->set_data({"mnist:/nonexistent", 0, 0});
        auto job = session->make_evaluate_job();
        std::atomic<bool> cancel{false};
        QVERIFY(test::errorOf([&] {
                    job->run([](const JobEvent&) {}, cancel);
                }).contains("nonexistent"));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
