// Session: what it writes and reads — projects (save/open_saved), the shown model's
// exports (checkpoint, state_dict, masks, report, Netron sidecar) and its recipe.

#include "engine/session/session.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/export/netron_attachment.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/interop/exports.h"
#include "engine/interop/model_loader.h"
#include "engine/interop/script_net.h"
#include "engine/interop/tensor_archive.h"
#include "engine/pruning/importance.h"
#include "engine/pruning/recipe.h"
#include "engine/session/session_impl.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace prunelab {
namespace {

constexpr const char* kStateFormat = "prunelab-session";
constexpr int64_t kStateVersion = 1;

/// The model as shown, with its masks and metadata stamped the way every writer stamps it.
Checkpoint shown_checkpoint(const Session::Impl& impl, double sparsity)
{
    Checkpoint shown = impl.checkpoint;
    shown.masks = impl.current.to_bool();
    MetadataUpdate update;
    update.source = impl.source;
    update.data = impl.data.spec;
    update.accuracy_unknown = true; // the shown weights' accuracy, or none at all
    impl.record_accuracy(update);
    if (!impl.current.empty()) {
        PruningRecord record;
        record.criterion = impl.criterion;
        record.granularity = impl.granularity;
        record.sparsity = sparsity;
        record.finetuned = impl.finetuned;
        update.pruning = record;
    }
    stamp_metadata(shown.metadata, update);
    return shown;
}

} // namespace

void Session::save(const std::string& checkpoint_path, const std::string& state_path) const
{
    auto& impl = *m_impl;
    const auto* script = dynamic_cast<const ScriptNet*>(impl.checkpoint.net.get());
    const Checkpoint shown = shown_checkpoint(impl, info().sparsity());

    TensorArchive state;
    state.format = kStateFormat;
    state.format_version = kStateVersion;
    nlohmann::json thresholds = nlohmann::json::object();
    for (const auto& [layer, t] : impl.thresholds)
        thresholds[layer] = t;
    state.header = {{"source", impl.source},
                    {"criterion", impl.criterion},
                    {"granularity", impl.granularity},
                    {"scored", impl.pruner != nullptr},
                    {"thresholds", thresholds},
                    {"counts", impl.counts},
                    {"locked", impl.locked},
                    {"excluded", impl.excluded},
                    {"data",
                     {{"spec", impl.data.spec},
                      {"train_limit", impl.data.train_limit},
                      {"test_limit", impl.data.test_limit},
                      {"validation_fraction", impl.data.validation_fraction}}},
                    {"finetuned", impl.finetuned},
                    {"opened_metadata", impl.checkpoint.metadata}};
    state.header["base_is_opened"] = impl.base_is_opened;
    if (impl.base_recipe)
        state.header["base_recipe"] = recipe_to_json(*impl.base_recipe);
    if (script) // the model file is TorchScript; its input shapes are not in it
        state.header["torchscript_input_shape"] =
            input_shapes_text(model_inputs(impl.net().spec()));
    if (impl.accuracy)
        state.header["accuracy"] = *impl.accuracy;
    state.groups["original"] = impl.original;
    state.groups["base"] = impl.base;
    state.groups["committed"] = impl.committed.to_bool();
    if (impl.pruner)
        for (const auto& layer : impl.pruner->importance().layers)
            state.groups["scores"][layer.layer] = layer.scores;
    // Both written first, then renamed together: a failure in the second leaves the project
    // as it was, not a new state beside an old checkpoint.
    OutputBatch outputs;
    save_tensor_archive(state, state_path);
    if (script)
        script->save(checkpoint_path); // TorchScript, the shown pruning folded in
    else
        save_checkpoint(shown, checkpoint_path);
    outputs.commit();
}

void Session::export_checkpoint(const std::string& path) const
{
    const auto& impl = *m_impl;
    if (const auto* script = dynamic_cast<const ScriptNet*>(impl.checkpoint.net.get())) {
        script->save(path); // TorchScript in, TorchScript out: the pruning folded into the weights
        return;
    }
    save_checkpoint(shown_checkpoint(impl, info().sparsity()), path);
}

void Session::export_state_dict(const std::string& path) const
{
    prunelab::export_state_dict(*m_impl->checkpoint.net, path);
}

void Session::export_masks(const std::string& path) const
{
    prunelab::export_masks(m_impl->current.to_bool(), path);
}

namespace {

ReportContext report_context(const Session& session)
{
    const auto& impl = session.impl();
    ReportContext context;
    context.data = impl.data.spec;
    context.accuracy_before = session.recorded_accuracy();
    context.accuracy_after = impl.accuracy;
    context.pruning = {{"criterion", impl.criterion},
                       {"granularity", impl.granularity},
                       {"finetuned", impl.finetuned},
                       {"excluded", impl.excluded},
                       {"locked", impl.locked}};
    return context;
}

} // namespace

void Session::export_report(const std::string& path) const
{
    prunelab::export_report(info(), report_context(*this), path);
}

void Session::export_netron(const std::string& path) const
{
    const auto& impl = *m_impl;
    export_netron_attachment(*impl.checkpoint.net,
                             impl.pruner ? &impl.pruner->importance() : nullptr,
                             report_context(*this), path);
}

Recipe threshold_recipe(const Session::Impl& impl)
{
    Recipe recipe;
    recipe.model = impl.source;
    recipe.data = impl.data.spec;
    recipe.train_limit = impl.data.train_limit;
    recipe.test_limit = impl.data.test_limit;
    recipe.validation_fraction = impl.data.validation_fraction;
    recipe.options.importance.criterion(impl.criterion)
        .granularity(parse_granularity(impl.granularity));
    for (const auto& [layer, threshold] : impl.thresholds) {
        auto& setting = recipe.options.allocation.layers[layer];
        const auto count = impl.counts.find(layer);
        if (count == impl.counts.end()) {
            setting.threshold = threshold;
            continue;
        }
        // count / n replays exactly: round-half-even(count / n × n) is count again.
        const int64_t n = impl.pruner->index().size(impl.pruner->layer_index(layer));
        setting.rate = double(count->second) / double(n);
    }
    recipe.options.allocation.excluded(impl.excluded).keep_at_least_one(false);
    return recipe;
}

TrainOptions fine_tune_options(const FineTuneSettings& settings)
{
    return TrainOptions()
        .optimizer(settings.optimizer)
        .lr(settings.lr)
        .batch(settings.batch)
        .seed(settings.seed)
        .epochs(settings.epochs)
        .lr_schedule("constant");
}

void Session::export_recipe(const std::string& path, const std::string& checkpoint_name) const
{
    const auto& impl = *m_impl;
    if (!impl.pruner)
        throw Error("the model has not been scored yet");
    // After one fine-tune with nothing pruned since, its recipe replays the result, training
    // included; else the thresholds shown, from the opened model.
    const bool replays_fine_tune = impl.base_recipe && impl.current.equals(impl.committed);
    Recipe recipe = replays_fine_tune ? *impl.base_recipe : threshold_recipe(impl);
    if (!checkpoint_name.empty())
        recipe.exports["checkpoint"] = checkpoint_name;
    nlohmann::json json = recipe_to_json(recipe);
    json["comment"] =
        impl.base_is_opened
            ? "Saved from the PruneLab workbench: replays its pruning of the opened model."
        : replays_fine_tune
            ? "Saved from the PruneLab workbench: replays its pruning of the opened model "
              "and the fine-tune that followed (same seed, data and thread count: same weights)."
            : "Saved from the PruneLab workbench after training, Apply or reset with more "
              "than one pruning step: this replays the thresholds on the opened model, not "
              "that training.";
    const std::string text = json.dump(2) + "\n";
    write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

std::unique_ptr<Session> Session::open_saved(const std::string& checkpoint_path,
                                             const std::string& state_path)
{
    const TensorArchive state = load_tensor_archive(state_path, kStateFormat, kStateVersion);
    std::unique_ptr<Session> session(new Session());
    auto& impl = *session->m_impl;
    const auto& h = state.header;
    if (h.contains("torchscript_input_shape")) {
        try {
            // "3,16,16;8" since several inputs; a list of sizes before.
            const auto& stored = h.at("torchscript_input_shape");
            impl.checkpoint.net = load_script_net(
                checkpoint_path, stored.is_string()
                                     ? parse_input_shapes(stored.get<std::string>(), state_path)
                                     : InputShapes{stored.get<std::vector<int64_t>>()});
        } catch (const nlohmann::json::exception& e) {
            throw Error(state_path + ": damaged session state (" + e.what() + ")");
        }
    } else {
        impl.checkpoint = load_checkpoint(checkpoint_path);
    }
    try {
        impl.source = h.at("source").get<std::string>();
        impl.criterion = h.at("criterion").get<std::string>();
        impl.granularity = h.at("granularity").get<std::string>();
        impl.locked = h.at("locked").get<std::set<std::string>>();
        impl.excluded = h.at("excluded").get<std::set<std::string>>();
        impl.data.spec = h.at("data").at("spec").get<std::string>();
        impl.data.train_limit = h.at("data").at("train_limit").get<int64_t>();
        impl.data.test_limit = h.at("data").at("test_limit").get<int64_t>();
        // Projects saved before validation splits measured on the test split.
        impl.data.validation_fraction = h.at("data").value("validation_fraction", 0.0);
        impl.finetuned = h.at("finetuned").get<bool>();
        impl.base_is_opened = h.value("base_is_opened", !impl.finetuned);
        if (h.contains("base_recipe"))
            impl.base_recipe = recipe_from_json(h.at("base_recipe"), state_path);
        if (h.contains("opened_metadata"))
            impl.checkpoint.metadata = h.at("opened_metadata");
    } catch (const nlohmann::json::exception& e) {
        throw Error(state_path + ": damaged session state (" + e.what() + ")");
    }
    auto group = [&](const std::string& name) -> const TensorMap& {
        static const TensorMap empty;
        auto it = state.groups.find(name);
        return it == state.groups.end() ? empty : it->second;
    };
    impl.original = group("original");
    impl.base = group("base");
    for (const auto& item : impl.net().named_parameters()) {
        auto it = impl.base.find(item.key());
        if (it == impl.base.end() || it->second.sizes() != item.value().sizes())
            throw Error(state_path + ": does not belong to " + checkpoint_path + " (weight '" +
                        item.key() + "' is missing or differs in shape)");
        if (!impl.original.count(item.key()))
            throw Error(state_path + ": damaged session state (no opened weight '" + item.key() +
                        "')");
    }
    impl.committed = MaskSet::from_tensors(group("committed"), impl.net());
    impl.layout = describe_model(impl.net());
    {
        // Counts as opened: load the opened weights briefly into the model.
        const TensorMap shown = copy_named_state(impl.net(), true);
        load_named_state(impl.net(), impl.original);
        impl.opened = impl.layout;
        update_weight_counts(impl.opened, impl.net());
        load_named_state(impl.net(), shown);
    }
    if (h.value("scored", false)) {
        ImportanceResult importance;
        importance.criterion = impl.criterion;
        importance.granularity = parse_granularity(impl.granularity);
        for (const auto& layer : prunable_layers(impl.net())) {
            auto it = group("scores").find(layer.name);
            if (it == group("scores").end())
                throw Error(state_path + ": damaged session state (no scores for '" + layer.name +
                            "')");
            // Ranking, thresholds and histograms need ordered numbers: NaN has no place.
            if (it->second.isnan().any().item<bool>())
                throw Error(state_path + ": damaged session state (the saved scores of '" +
                            layer.name + "' hold NaN); open the checkpoint alone and score again");
            LayerScores scores;
            scores.layer = layer.name;
            scores.kind = layer.kind;
            scores.scores = it->second.contiguous();
            importance.layers.push_back(scores);
        }
        impl.pruner = std::make_unique<Pruner>(impl.net(), std::move(importance));
        for (const auto& [layer, t] : h.at("thresholds").items()) {
            impl.pruner->layer_index(layer);
            impl.thresholds[layer] = t.get<float>();
        }
        if (h.contains("counts")) // projects before counts were kept cut at thresholds
            for (const auto& [layer, count] : h.at("counts").items())
                if (impl.thresholds.count(layer))
                    impl.counts[layer] = count.get<int64_t>();
    }
    impl.apply_thresholds();
    if (h.contains("accuracy"))
        impl.accuracy = h.at("accuracy").get<double>();
    return session;
}

} // namespace prunelab
