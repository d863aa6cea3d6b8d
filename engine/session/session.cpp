#include "engine/session/session.h"

#include "engine/export/netron_attachment.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/data/data_spec.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/interop/exports.h"
#include "engine/interop/model_loader.h"
#include "engine/interop/script_net.h"
#include "engine/interop/tensor_archive.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/importance.h"
#include "engine/pruning/recipe.h"
#include "engine/session/session_impl.h"
#include "engine/training/held_out.h"
#include "engine/training/trainer.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace prunelab {
namespace {

/// out = base where keep, else 0 — one pass, for contiguous float32 with a bool mask (ATen's
/// mul_out with type promotion is several times slower on 11.7M weights).
void masked_copy_(at::Tensor& out, const at::Tensor& base, const at::Tensor& keep)
{
    if (out.scalar_type() != at::kFloat || base.scalar_type() != at::kFloat ||
        keep.scalar_type() != at::kBool || !out.is_contiguous() || !base.is_contiguous() ||
        !keep.is_contiguous() || out.numel() != keep.numel()) {
        at::mul_out(out, base, keep);
        return;
    }
    float* o = out.data_ptr<float>();
    const float* b = base.data_ptr<float>();
    const bool* k = keep.data_ptr<bool>();
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i)
        o[i] = b[i] * static_cast<float>(k[i]); // branch-free: vectorizes
}

} // namespace

bool criterion_is_data_driven(const std::string& criterion)
{
    return criterion_needs_data(criterion);
}

std::shared_ptr<const DataSplits> load_splits(const DataChoice& choice, const ModelSpec& spec)
{
    auto options = DataOptions()
                       .spec(choice.spec)
                       .train_limit(choice.train_limit)
                       .test_limit(choice.test_limit)
                       .validation_fraction(choice.validation_fraction)
                       .synthetic_shape(spec.input_shape)
                       .synthetic_classes(spec.num_classes);
    return std::make_shared<const DataSplits>(load_data(options));
}

// --- Impl -------------------------------------------------------------------------------------

void Session::Impl::init_from_checkpoint()
{
    original = copy_named_state(net(), true);
    committed = MaskSet::from_tensors(checkpoint.masks, net());
    committed.apply_(net());
    base = copy_named_state(net(), false);
    current = committed;
    layout = describe_model(net());
    opened = layout;
    update_weight_counts(opened, net());
    if (const auto recorded = prunelab::recorded_data(checkpoint.metadata))
        data.spec = *recorded;
    else if (net().spec().input_shape != std::vector<int64_t>{1, 28, 28})
        data.spec = "synthetic"; // Fashion-MNIST would not fit; samples shaped like the model's
    // A model PruneLab trained on the whole training split (before validation splits, or with
    // --val-fraction 0) has seen every validation sample: only the test split is unseen.
    if (saw_whole_training_split(checkpoint.metadata, data.spec))
        data.validation_fraction = 0.0;
    if (committed.empty())
        accuracy = recorded_on_split();
}

std::optional<double> Session::Impl::recorded_on_split() const
{
    const auto& metadata = checkpoint.metadata;
    if (accuracy_split() == "test")
        return prunelab::recorded_accuracy(metadata);
    if (metadata.is_object() && metadata.contains("validation_accuracy") &&
        metadata["validation_accuracy"].is_number())
        return metadata["validation_accuracy"].get<double>();
    return std::nullopt; // a test accuracy is no validation accuracy: measure it
}

void Session::Impl::record_accuracy(MetadataUpdate& update) const
{
    (accuracy_split() == "test" ? update.test_accuracy : update.validation_accuracy) = accuracy;
}

void Session::Impl::restore_base()
{
    at::NoGradGuard no_grad;
    for (auto& item : net().named_parameters())
        item.value().copy_(base.at(item.key()));
}

void Session::Impl::apply_thresholds()
{
    if (thresholds.empty() && !threshold_masks) {
        current = committed; // the shown model is the base already; its accuracy stays known
        return;
    }
    threshold_masks = !thresholds.empty();
    MaskSet next = committed;
    if (!thresholds.empty()) {
        AllocationOptions options;
        for (const auto& [layer, threshold] : thresholds) {
            const auto count = counts.find(layer);
            if (count != counts.end())
                options.layers[layer].count = count->second;
            else
                options.layers[layer].threshold = threshold;
        }
        options.excluded(excluded);
        options.keep_at_least_one(false);
        const AllocationResult allocation = pruner->allocate(options);
        for (const auto& [name, mask] : allocation.masks.masks())
            next.intersect(name, mask);
    }
    // One pass per parameter: shown = base ⊙ mask. Parameters masked last time but not now get
    // their base values back; the rest (never masked) are the base already. On ResNet-18 this
    // is most of what a global-rate change costs, so no restore-then-multiply double pass.
    at::NoGradGuard no_grad;
    for (auto& item : net().named_parameters()) {
        if (const at::Tensor* mask = next.find(item.key()))
            masked_copy_(item.value(), base.at(item.key()), *mask);
        else if (current.find(item.key()))
            item.value().copy_(base.at(item.key()));
    }
    current = std::move(next);
    changed();
}

void Session::Impl::changed()
{
    ++generation;
    accuracy.reset();
    relative_l2.reset();
    info_cache.reset();
}

void Session::Impl::cut_exactly(const std::string& layer, int64_t count)
{
    const size_t i = pruner->layer_index(layer);
    counts.erase(layer);
    thresholds.erase(layer);
    if (count <= 0)
        return;
    thresholds[layer] = pruner->index().threshold_for_count(i, count);
    counts[layer] = count;
}

void Session::Impl::set_scores(ImportanceResult importance)
{
    criterion = importance.criterion;
    granularity = to_string(importance.granularity);
    thresholds.clear();
    counts.clear();
    // The Pruner reads only the layers' structure; apply_thresholds rewrites from the base every
    // parameter that was masked, so no separate restore here.
    pruner = std::make_unique<Pruner>(net(), std::move(importance));
    apply_thresholds();
}

void Session::Impl::commit(PrunableNet& trained, const MaskSet& masks, ImportanceResult importance)
{
    sensitivity.reset(); // of weights that are gone
    ++base_version;
    base_is_opened = false;
    base_recipe.reset(); // a fine-tune records its own after committing
    load_named_state(net(), copy_named_state(trained, true));
    committed = masks;
    committed.apply_(net());
    base = copy_named_state(net(), false);
    finetuned = true;
    set_scores(std::move(importance));
    // Magnitude scores of committed (zeroed) weights or units are exactly 0: a threshold at 0
    // shows them as pruned (rates, histogram line, global slider) without changing the model.
    // Other criteria can score a zeroed element above kept ones, so they start unthresholded.
    if (criterion == "l1" || criterion == "l2") {
        for (size_t i = 0; i < pruner->importance().layers.size(); ++i)
            if (pruner->applies_to(i) && pruner->index().count_at_or_below(i, 0.0f) > 0)
                thresholds[pruner->importance().layers[i].layer] = 0.0f;
        apply_thresholds();
    }
    changed();
}

std::shared_ptr<const DataSplits> Session::Impl::cached_splits() const
{
    return splits && splits->spec == data.spec ? splits : nullptr;
}

// --- Session ----------------------------------------------------------------------------------

Session::Session() : m_impl(std::make_unique<Impl>()) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::open(const std::string& model, const InputShapes& inputs)
{
    std::unique_ptr<Session> session(new Session());
    session->m_impl->source = model;
    LoadModelOptions options;
    options.inputs = inputs;
    session->m_impl->checkpoint = load_model(model, options);
    session->m_impl->init_from_checkpoint();
    return session;
}

const std::string& Session::source() const
{
    return m_impl->source;
}

ModelInfo Session::info() const
{
    // Called several times per threshold move (table, status, note): counted once per change,
    // and only the counts — the layout was traced at open.
    if (!m_impl->info_cache) {
        ModelInfo info = m_impl->layout;
        update_weight_counts(info, m_impl->net());
        m_impl->info_cache = std::move(info);
    }
    return *m_impl->info_cache;
}

ModelInfo Session::opened_info() const
{
    return m_impl->opened;
}

std::string Session::data_spec() const
{
    return m_impl->data.spec;
}

std::string Session::accuracy_split() const
{
    return m_impl->accuracy_split();
}

std::optional<double> Session::recorded_accuracy() const
{
    return prunelab::recorded_accuracy(m_impl->checkpoint.metadata);
}

bool Session::measures_fidelity() const
{
    const auto splits = m_impl->cached_splits();
    return splits ? measured_by_fidelity(m_impl->net(), decision_split(*splits)) ||
                        measured_by_fidelity(m_impl->net(), splits->train)
                  : !m_impl->net().is_classifier();
}

std::optional<double> Session::relative_l2_error() const
{
    return m_impl->accuracy ? m_impl->relative_l2 : std::nullopt;
}

std::optional<double> Session::accuracy() const
{
    return m_impl->accuracy;
}
uint64_t Session::generation() const
{
    return m_impl->generation;
}
bool Session::is_finetuned() const
{
    return m_impl->finetuned;
}

void Session::set_data(const DataChoice& data)
{
    if (!(data == m_impl->data)) {
        m_impl->data = data;
        m_impl->accuracy.reset();
        m_impl->relative_l2.reset();
    }
}

DataChoice Session::data() const
{
    return m_impl->data;
}

void Session::score(const std::string& criterion, const std::string& granularity)
{
    if (criterion_needs_data(criterion))
        throw Error("criterion '" + criterion + "' needs calibration data; score it as a job");
    auto options =
        ImportanceOptions().criterion(criterion).granularity(parse_granularity(granularity));
    m_impl->restore_base();
    m_impl->set_scores(compute_importance(m_impl->net(), nullptr, options));
}

bool Session::is_scored() const
{
    return m_impl->pruner != nullptr;
}
std::string Session::criterion() const
{
    return m_impl->criterion;
}
std::string Session::granularity() const
{
    return m_impl->granularity;
}

bool Session::applies_to(const std::string& layer) const
{
    return m_impl->pruner && m_impl->pruner->applies_to(m_impl->pruner->layer_index(layer));
}

std::string Session::group_leader(const std::string& layer) const
{
    if (!m_impl->pruner)
        return {};
    const LayerScores* scores = m_impl->pruner->importance().find(layer);
    if (!scores || m_impl->pruner->granularity() == Granularity::Weight ||
        !scores->structurally_prunable || scores->group_leader == layer)
        return {};
    return scores->group_leader;
}

LayerHistogram Session::histogram(const std::string& layer, int bins, bool log10) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const size_t i = m_impl->pruner->layer_index(layer);
    const auto& index = m_impl->pruner->index();
    at::Tensor scores = index.scores(i);
    LayerHistogram out;
    out.layer = layer;
    out.total = scores.numel();
    out.log10 = log10;
    // Magnitude scores of exactly 0 are weights or units already zeroed (committed or naturally
    // dead): drawn, they would dwarf every other bar, so they are counted and left out.
    const bool magnitude = m_impl->criterion == "l1" || m_impl->criterion == "l2";
    const int64_t zeros = magnitude ? index.count_at_or_below(i, 0.0f) : 0;
    double lo = 0.0;
    double hi = 1.0;
    if (log10) {
        scores = scores.masked_select(scores.gt(0)).log10();
        out.not_shown = out.total - scores.numel();
        if (scores.numel() > 0) {
            lo = scores.min().item<double>();
            hi = scores.max().item<double>();
        }
    } else {
        const at::Tensor& sorted = index.sorted(i); // the range for free
        if (zeros > 0 && zeros < out.total) {
            scores = scores.masked_select(scores.gt(0));
            out.not_shown = zeros;
        }
        if (out.total - out.not_shown > 0) {
            lo = sorted[out.not_shown].item<double>();
            hi = sorted[-1].item<double>();
        }
    }
    if (!std::isfinite(lo) || !std::isfinite(hi)) // histc refuses a NaN or infinite range
        lo = 0.0, hi = 1.0;
    if (hi <= lo)
        hi = lo + 1.0;
    bins = std::max(1, bins);
    out.bin_width = (hi - lo) / bins;
    const auto counts = at::histc(scores, bins, lo, hi).contiguous();
    const float* c = counts.data_ptr<float>();
    for (int b = 0; b < bins; ++b) {
        out.bin_lefts.push_back(lo + b * out.bin_width);
        out.counts.push_back(c[b]);
    }
    return out;
}

LayerPruneState Session::prune_state(const std::string& layer) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const size_t i = m_impl->pruner->layer_index(layer);
    LayerPruneState state;
    state.layer = layer;
    state.elements = m_impl->pruner->index().size(i);
    auto it = m_impl->thresholds.find(layer);
    state.threshold = it == m_impl->thresholds.end() ? -INFINITY : it->second;
    const auto count = m_impl->counts.find(layer);
    state.pruned = it == m_impl->thresholds.end() ? 0
                   : count != m_impl->counts.end()
                       ? count->second
                       : m_impl->pruner->index().count_at_or_below(i, it->second);
    return state;
}

bool Session::has_sensitivity() const
{
    return m_impl->sensitivity &&
           m_impl->sensitivity_key == m_impl->criterion + "/" + m_impl->granularity;
}

void Session::set_auto_allocation(bool on)
{
    m_impl->auto_allocation = on;
}
bool Session::auto_allocation() const
{
    return m_impl->auto_allocation;
}

void Session::apply()
{
    auto& impl = *m_impl;
    if (!impl.pruner)
        throw Error("the model has not been scored yet");
    if (info().sparsity() == 0.0 && impl.current.empty())
        throw Error("nothing is pruned yet: move a threshold or the global rate first");
    const MaskSet masks = impl.current;
    ImportanceResult importance;
    if (criterion_needs_data(impl.criterion)) {
        importance = impl.pruner->importance(); // rescoring needs data; keep the scores
    } else {
        importance = compute_importance(impl.net(), nullptr,
                                        ImportanceOptions()
                                            .criterion(impl.criterion)
                                            .granularity(parse_granularity(impl.granularity)));
    }
    const bool finetuned = impl.finetuned;
    impl.commit(impl.net(), masks, std::move(importance));
    impl.finetuned = finetuned; // applying masks is not training
}

void Session::set_global_rate(double rate)
{
    if (m_impl->auto_allocation && has_sensitivity()) {
        check_fraction(rate, "global rate");
        // Per-layer rates from the sensitivity curves (the analysed layers are those the
        // granularity prunes); locked and excluded layers keep what they have.
        const auto rates = allocate_by_sensitivity(*m_impl->sensitivity, std::min(rate, 0.999));
        const auto& index = m_impl->pruner->index();
        for (const auto& [layer, layer_rate] : rates) {
            if (m_impl->locked.count(layer) || m_impl->excluded.count(layer))
                continue;
            const size_t i = m_impl->pruner->layer_index(layer);
            m_impl->cut_exactly(layer, index.count_for_rate(i, std::clamp(layer_rate, 0.0, 1.0)));
        }
        m_impl->apply_thresholds();
        return;
    }
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    check_fraction(rate, "global rate");
    // The CLI's global ranking (global_unstructured semantics, ties split by index), so the
    // window and `prune --global` prune the same elements; masks are built once, in
    // apply_thresholds.
    const Pruner& pruner = *m_impl->pruner;
    std::vector<size_t> ranked;
    for (size_t i = 0; i < pruner.importance().layers.size(); ++i) {
        const std::string& name = pruner.importance().layers[i].layer;
        if (pruner.applies_to(i) && !m_impl->excluded.count(name) && !m_impl->locked.count(name))
            ranked.push_back(i);
    }
    const auto counts = pruner.index().global_counts(
        ranked, rate,
        prunelab::global_ranking(AllocationOptions()
                                     .normalizer(m_impl->normalizer)
                                     .max_layer_rate(m_impl->max_layer_rate),
                                 pruner.granularity()));
    // As the CLI promises: a global rate never empties a layer (it keeps its best element); a
    // rate typed for one layer may.
    for (size_t k = 0; k < ranked.size(); ++k)
        m_impl->cut_exactly(
            pruner.importance().layers[ranked[k]].layer,
            std::min(counts[k], std::max<int64_t>(0, pruner.index().size(ranked[k]) - 1)));
    m_impl->apply_thresholds();
}

void Session::set_global_ranking(const GlobalRankingSettings& settings)
{
    std::optional<ScoreNormalizer> normalizer;
    if (settings.normalizer != "auto")
        normalizer = parse_score_normalizer(settings.normalizer);
    if (settings.max_layer_rate)
        check_fraction(*settings.max_layer_rate, "maximum rate per layer");
    m_impl->normalizer = normalizer;
    m_impl->max_layer_rate = settings.max_layer_rate;
}

GlobalRankingSettings Session::global_ranking() const
{
    GlobalRankingSettings settings;
    settings.normalizer = m_impl->normalizer ? to_string(*m_impl->normalizer) : "auto";
    settings.max_layer_rate = m_impl->max_layer_rate;
    return settings;
}

std::map<std::string, float> Session::thresholds() const
{
    return m_impl->thresholds;
}

void Session::set_thresholds(const std::map<std::string, float>& thresholds)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    for (const auto& [layer, threshold] : thresholds)
        m_impl->pruner->layer_index(layer);
    m_impl->thresholds = thresholds;
    m_impl->counts.clear();
    m_impl->apply_thresholds();
}

UnitScores Session::unit_scores(const std::string& layer) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    const size_t i = m_impl->pruner->layer_index(layer);
    const auto& index = m_impl->pruner->index();
    const at::Tensor scores = index.scores(i).contiguous();
    at::Tensor keep = at::ones({scores.numel()}, at::kBool);
    if (const auto threshold = m_impl->thresholds.find(layer);
        threshold != m_impl->thresholds.end()) {
        const auto count = m_impl->counts.find(layer);
        keep = (count != m_impl->counts.end() ? index.mask_pruning(i, count->second)
                                              : index.mask_for_threshold(i, threshold->second))
                   .reshape({-1})
                   .contiguous();
    }
    UnitScores out;
    const float* s = scores.data_ptr<float>();
    out.scores.assign(s, s + scores.numel());
    const bool* k = keep.data_ptr<bool>();
    for (int64_t u = 0; u < keep.numel(); ++u)
        out.pruned.push_back(!k[u]);
    return out;
}

LayerCuts Session::cuts() const
{
    LayerCuts cuts;
    for (const auto& [layer, threshold] : m_impl->thresholds) {
        const auto count = m_impl->counts.find(layer);
        cuts[layer] = {threshold, count == m_impl->counts.end() ? -1 : count->second};
    }
    return cuts;
}

void Session::set_cuts(const LayerCuts& cuts)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    for (const auto& [layer, cut] : cuts)
        m_impl->pruner->layer_index(layer);
    m_impl->thresholds.clear();
    m_impl->counts.clear();
    for (const auto& [layer, cut] : cuts) {
        m_impl->thresholds[layer] = cut.threshold;
        if (cut.count >= 0)
            m_impl->counts[layer] = cut.count;
    }
    m_impl->apply_thresholds();
}

LayerPruneState Session::set_threshold(const std::string& layer, float threshold)
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    check_editable(layer);
    m_impl->counts.erase(layer);
    if (std::isfinite(threshold))
        m_impl->thresholds[layer] = threshold;
    else
        m_impl->thresholds.erase(layer);
    m_impl->apply_thresholds();
    return prune_state(layer);
}

float Session::threshold_for_rate(const std::string& layer, double rate) const
{
    if (!m_impl->pruner)
        throw Error("the model has not been scored yet");
    check_fraction(rate, "rate of layer '" + layer + "'");
    const size_t i = m_impl->pruner->layer_index(layer);
    const auto& index = m_impl->pruner->index();
    return index.threshold_for_count(i, index.count_for_rate(i, rate));
}

LayerPruneState Session::set_layer_rate(const std::string& layer, double rate)
{
    threshold_for_rate(layer, rate); // validates the rate, the name and that scores exist
    check_editable(layer);
    const size_t i = m_impl->pruner->layer_index(layer);
    m_impl->cut_exactly(layer, m_impl->pruner->index().count_for_rate(i, rate));
    m_impl->apply_thresholds();
    return prune_state(layer);
}

void Session::check_editable(const std::string& layer) const
{
    if (!applies_to(layer)) // also validates the name
        throw Error("layer '" + layer + "' is not pruned at this granularity");
    if (m_impl->excluded.count(layer))
        throw Error("layer '" + layer + "' is excluded from pruning");
}

void Session::set_locked(const std::string& layer, bool locked)
{
    if (m_impl->pruner)
        m_impl->pruner->layer_index(layer);
    if (locked)
        m_impl->locked.insert(layer);
    else
        m_impl->locked.erase(layer);
}

void Session::set_excluded(const std::string& layer, bool excluded)
{
    if (m_impl->pruner)
        m_impl->pruner->layer_index(layer);
    if (excluded) {
        m_impl->excluded.insert(layer);
        m_impl->thresholds.erase(layer);
        m_impl->counts.erase(layer);
    } else {
        m_impl->excluded.erase(layer);
    }
    if (m_impl->pruner)
        m_impl->apply_thresholds();
}

std::set<std::string> Session::locked() const
{
    return m_impl->locked;
}
std::set<std::string> Session::excluded() const
{
    return m_impl->excluded;
}

void Session::reset_to_dense()
{
    auto& impl = *m_impl;
    load_named_state(impl.net(), impl.original);
    impl.committed = MaskSet();
    impl.base = copy_named_state(impl.net(), false);
    impl.finetuned = false;
    impl.thresholds.clear();
    impl.counts.clear();
    impl.sensitivity.reset();
    ++impl.base_version;
    impl.base_is_opened = true;
    impl.base_recipe.reset();
    impl.changed();
    if (impl.pruner && !criterion_needs_data(impl.criterion))
        score(impl.criterion, impl.granularity);
    else {
        impl.pruner.reset();
        impl.apply_thresholds();
    }
    if (auto recorded = impl.recorded_on_split(); recorded && impl.checkpoint.masks.empty())
        impl.accuracy = recorded;
}

std::map<std::string, std::vector<bool>> Session::mask_bits() const
{
    std::map<std::string, std::vector<bool>> out;
    for (const auto& [name, mask] : m_impl->current.masks()) {
        const auto flat = mask.to(at::kBool).contiguous().view(-1);
        const bool* p = flat.data_ptr<bool>();
        out[name] = std::vector<bool>(p, p + flat.numel());
    }
    return out;
}

} // namespace prunelab
