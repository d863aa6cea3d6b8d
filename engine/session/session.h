#pragma once

// A LibTorch-free handle on an open model, for the app and anything else that should not
// compile the heavy headers. The engine's torch-facing API stays available underneath.
//
// A session keeps three sets of weights: the ones it was opened with (Reset to dense goes
// back to them), the base (the opened weights, or the result of the last fine-tune or
// iterative run, with its committed masks) and the shown model (the base with the current
// thresholds applied). Long work runs as a SessionJob on copies, so the window can keep
// reading the session while a worker thread trains.

#include "engine/models/model_info.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace prunelab {

/// A layer's score histogram, binned over [min, max] of its scores.
struct LayerHistogram
{
    std::string layer;
    std::vector<double> bin_lefts;
    double bin_width = 1.0;
    std::vector<double> counts;
    int64_t total = 0;
    bool log10 = false;    ///< bins are over log10(score)
    int64_t not_shown = 0; ///< left out: zero magnitudes, or scores <= 0 when binned by log10
};

/// Where a layer's threshold stands.
/// Where one layer is cut. A dragged threshold prunes every element scoring <= `threshold`; a
/// typed or global rate prunes exactly `count` (-1: no count), the lowest-scored with ties at
/// the threshold taken by index — the CLI's rule, so the window and the CLI prune the same
/// elements.
struct LayerCut
{
    float threshold = 0.0f;
    int64_t count = -1;
    bool operator==(const LayerCut& other) const
    {
        return threshold == other.threshold && count == other.count;
    }
};
using LayerCuts = std::map<std::string, LayerCut>;

struct LayerPruneState
{
    std::string layer;
    int64_t elements = 0; ///< scored elements (weights or units)
    int64_t pruned = 0;
    float threshold = 0.0f;
    double rate() const { return elements ? double(pruned) / double(elements) : 0.0; }
};

/// One layer's scored elements and which the current cut prunes, in element order.
struct UnitScores
{
    std::vector<float> scores;
    std::vector<bool> pruned;
};

/// Which data the session's jobs use. Limits keep the first N samples (0 = all).
struct DataChoice
{
    std::string spec = "fashion-mnist";
    int64_t train_limit = 0;
    int64_t test_limit = 0;
    /// Share of the training split held out as the validation split the window measures on
    /// (0: measure on the test split).
    double validation_fraction = 0.1;
    bool operator==(const DataChoice& o) const
    {
        return spec == o.spec && train_limit == o.train_limit && test_limit == o.test_limit &&
               validation_fraction == o.validation_fraction;
    }
};

/// One point of an accuracy curve (a sweep point, an iterative step, a fine-tune result).
struct CurvePoint
{
    std::string series;       ///< "l1", "random", "iterative l1", ...
    double sparsity = 0.0;    ///< of all prunable weights
    double params_kept = 1.0; ///< fraction of the dense model's parameters left
    double flops_kept = 1.0;  ///< fraction of dense multiply-accumulates left (zeros skipped)
    double accuracy = 0.0;
};

/// What a running job reports. The worker forwards these to the window.
struct JobEvent
{
    enum class Kind
    {
        Progress,  ///< phase, fraction, eta_seconds
        TrainStep, ///< step (global batch count), loss (running mean of the epoch)
        Epoch,     ///< epoch, loss, accuracy (test, NaN when not evaluated)
        Point      ///< point
    };
    Kind kind = Kind::Progress;
    std::string phase;
    double fraction = 0.0;
    double eta_seconds = 0.0;
    int64_t step = 0;
    int epoch = 0;
    double loss = 0.0;
    double accuracy = 0.0;
    CurvePoint point;
};
using JobEventSink = std::function<void(const JobEvent&)>;

/// What a finished job did, for the window's "what changed" note and curves.
struct JobOutcome
{
    std::string title;
    bool cancelled = false;
    std::string summary; ///< one line: what happened and the state the model is in now
    std::vector<CurvePoint> points;
    std::optional<double> dense_accuracy; ///< a sweep's baseline
    std::optional<double> accuracy;       ///< of the session's model afterwards
    std::vector<std::string> warnings;
};

class Session;

/// Long work on a copy of the session's model. Created on the session's thread; run() runs on a
/// worker thread and touches only the job's own copies; finish() runs back on the session's
/// thread and writes the outcome into the session.
/// What a job is, so a front end reacts to its kind, never to its title or phase text.
enum class JobKind
{
    Score,
    Evaluate,
    FineTune,
    Iterate,
    Sweep,
    Distill,
    Sensitivity,
    Compact
};

/// Whether jobs of this kind train (their progress belongs beside the training curves).
inline bool job_trains(JobKind kind)
{
    return kind == JobKind::FineTune || kind == JobKind::Iterate || kind == JobKind::Distill;
}

class SessionJob
{
public:
    virtual ~SessionJob() = default;
    virtual JobKind kind() const = 0;
    /// For people: "Fine-tune", "Sweep", ...
    virtual std::string title() const = 0;
    /// Whether finish() changes the model (the window blocks edits while such a job runs).
    virtual bool changes_model() const = 0;
    /// @throws prunelab::Error (or any std::exception) with a message a user can act on.
    virtual void run(const JobEventSink& emit, const std::atomic<bool>& cancel) = 0;
    virtual JobOutcome finish(Session& session) = 0;
};

/// How a global rate ranks layers against each other (AllocationOptions in the engine).
struct GlobalRankingSettings
{
    /// "auto" (each layer's mean for filters, neurons and heads; raw for single weights),
    /// "none", "l2", "max" or "mean".
    std::string normalizer = "auto";
    /// No layer loses more (unless the global rate is higher); unset: 0.9 for units, no limit
    /// for single weights.
    std::optional<double> max_layer_rate;
};

/// One entry of File ▸ New from Built-in.
struct BuiltinModel
{
    std::string name; ///< what Session::open and the CLI take
    std::string description;
    std::vector<int64_t> input_shape;
    int64_t classes = 0;
    bool trained = false; ///< ships trained weights; the others start from a seeded init
};

struct FineTuneSettings
{
    int epochs = 2;
    double lr = 5e-4;
    int64_t batch = 64;
    std::string optimizer = "adam";
    uint64_t seed = 1;
};

struct SweepSettings
{
    std::vector<std::string> criteria = {"l1", "random"};
    std::vector<double> sparsities = {0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    std::string granularity = "weight";
    bool global = true;
    int finetune_epochs = 0;
    bool distill = false; ///< recover each point by distillation from the dense model
    double temperature = 4.0;
    double alpha = 0.9;
};

struct DistillSettings
{
    /// "pruned": a copy of the shown model, masks held (distillation instead of fine-tuning;
    /// the result becomes the base). Or a built-in name: a fresh, seeded smaller student,
    /// written to `out_path`; the session's model is not changed.
    std::string student = "pruned";
    std::string out_path;
    double temperature = 4.0;
    double alpha = 0.9;
    int epochs = 3;
    double lr = 1e-3;
    uint64_t seed = 1;
};

struct IterateSettings
{
    double target = 0.8;
    int steps = 4;
    std::string schedule = "agp"; ///< oneshot, linear, agp
    int finetune_epochs = 1;      ///< per step
    double lr = 5e-4;
};

/// Dense vs masked vs compacted, side by side, after a compaction job.
struct CompactionReport
{
    struct Row
    {
        std::string label;        ///< "dense", "masked", "compacted"
        int64_t params = 0;       ///< all parameters (zeros included: they are still stored)
        int64_t nonzero = 0;      ///< nonzero prunable weights
        int64_t flops = 0;        ///< dense multiply-accumulates per sample
        double latency_ms_1 = 0;  ///< median forward time at batch 1
        double latency_ms_64 = 0; ///< ... at batch 64
    };
    std::vector<Row> rows;
    std::vector<std::string> groups; ///< "conv1: 10 → 5 channels"
    double max_abs_diff = 0.0;       ///< masked vs compacted outputs
    std::vector<std::string> notes;
    std::vector<std::string> warnings;
    bool changed = false;    ///< false when nothing could be removed
    uint64_t generation = 0; ///< of the shown model it was made from
};

class Session
{
public:
    /// Opens a MODEL argument (`default`, a built-in name, or a checkpoint path).
    /// @throws prunelab::Error naming the model and the problem.
    /// `inputs`: one sample's shape of each input for a TorchScript model that stores none
    /// (else UnknownInputShape is thrown, so the caller can ask and try again).
    static std::unique_ptr<Session> open(const std::string& model, const InputShapes& inputs = {});
    /// The models open() takes by name, the trained default first.
    static std::vector<BuiltinModel> builtin_models();
    /// Reopens a session saved by save(). @throws prunelab::Error naming the file.
    static std::unique_ptr<Session> open_saved(const std::string& checkpoint_path,
                                               const std::string& state_path);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Writes the shown model as a PruneLab checkpoint (masks included; Python can load it)
    /// and, beside it, the session state (opened and base weights, scores, thresholds, layer
    /// flags, data). Both atomically. @throws prunelab::Error naming a path that cannot be
    /// written; files already there stay intact.
    void save(const std::string& checkpoint_path, const std::string& state_path) const;

    /// Writes the shown model alone as a PruneLab checkpoint (masks, data, accuracy, pruning
    /// settings in its metadata), atomically. @throws prunelab::Error naming the path.
    void export_checkpoint(const std::string& path) const;
    /// The shown model's state_dict (PyTorch names), its masks (bool), and a JSON report, for
    /// Python (see engine/exports.h). @throws prunelab::Error naming the path.
    void export_state_dict(const std::string& path) const;
    void export_masks(const std::string& path) const;
    void export_report(const std::string& path) const;
    /// A Netron metrics sidecar (engine/netron_attachment.h) of the shown model with the
    /// current scores. @throws prunelab::Error naming the path.
    void export_netron(const std::string& path) const;
    /// A recipe (docs/recipe-format.md) that replays the shown pruning from the opened model:
    /// the criterion, granularity, every layer's threshold and the exclusions; `prunelab-cli run`
    /// reproduces the masks while no fine-tune or Apply changed the weights (the recipe's comment
    /// says when one did). @throws prunelab::Error naming the path.
    void export_recipe(const std::string& path, const std::string& checkpoint_name) const;

    /// The argument it was opened from.
    const std::string& source() const;
    /// Layers, parameters, sparsity and FLOPs of the model as it is now.
    ModelInfo info() const;
    /// Layers and counts of the model as opened (for "before → after").
    ModelInfo opened_info() const;
    /// The DATA spec recorded with the model, else "fashion-mnist" when the model takes 1×28×28
    /// images, else "synthetic" (shaped like the model's input) until the user picks data.
    std::string data_spec() const;
    /// Test accuracy recorded in the checkpoint, if any.
    std::optional<double> recorded_accuracy() const;
    /// Accuracy of the model as shown now on accuracy_split(), when a job measured it since
    /// the last change — or, when measures_fidelity(), the mean cosine similarity of its outputs
    /// to the model as opened (relative_l2_error() beside it).
    std::optional<double> accuracy() const;
    /// "validation" (the default: a share of the training data held out, so the test split
    /// stays an honest report) or "test" (DataChoice::validation_fraction 0).
    std::string accuracy_split() const;
    /// True for a model without classes (feature maps, dicts of outputs), and for data without
    /// labels: such a model is measured by output fidelity to the model as opened.
    bool measures_fidelity() const;
    std::optional<double> relative_l2_error() const;
    /// Counts every change of the shown model (jobs use it to tell stale results).
    uint64_t generation() const;
    /// Whether a fine-tune or iterative run has changed the weights since opening.
    bool is_finetuned() const;
    /// A built-in opened by name starts from random weights: pruning it means nothing until it
    /// is trained (a fine-tune job on the dense model does that).
    bool needs_training() const;

    /// The data jobs use; loaded on the worker on first use. Defaults to data_spec().
    void set_data(const DataChoice& data);
    DataChoice data() const;
    /// Why `choice` cannot feed this model ("CIFAR-10 samples are 3×32×32; the model takes
    /// 1×28×28"), or empty when it can. Loads a few samples on the calling thread (a data dialog
    /// checks before it closes); a spec that does not load says why.
    std::string data_problem(const DataChoice& choice) const;
    /// Whether data_spec() is "synthetic" only because nothing recorded or known fits the model
    /// (the window then asks for real data).
    bool data_is_a_stand_in() const;

    /// Scores the base weights with a data-free criterion (l1, l2, random) at a granularity, and
    /// forgets earlier thresholds. Sorts once; thresholds are cheap afterwards.
    /// @throws prunelab::Error for a criterion that needs data (use make_score_job) or an
    ///         unknown name.
    void score(const std::string& criterion, const std::string& granularity);
    bool is_scored() const;
    std::string criterion() const;
    std::string granularity() const;
    /// Whether the current granularity prunes this layer (neuron → Linear, filter → Conv2d,
    /// never the output layer's units).
    bool applies_to(const std::string& layer) const;
    /// At neuron/filter granularity, the layer that leads this layer's channel group when that
    /// is another one (a residual addition couples them; the leader's threshold prunes both);
    /// else empty.
    std::string group_leader(const std::string& layer) const;
    /// With `log10`, bins are over log10 of the positive scores (magnitudes spread over decades).
    /// @throws prunelab::Error when not scored or the layer is unknown.
    LayerHistogram histogram(const std::string& layer, int bins = 60, bool log10 = false) const;
    /// Prunes the layer's elements scoring <= threshold (from the base weights) and applies
    /// every layer's current threshold to the model.
    LayerPruneState set_threshold(const std::string& layer, float threshold);
    /// Sets the threshold that prunes `rate` of the layer's elements. @throws prunelab::Error
    /// for a rate outside [0, 1] or NaN.
    LayerPruneState set_layer_rate(const std::string& layer, double rate);
    /// The threshold that prunes `rate` of the layer's elements (-inf for none), without applying
    /// it. @throws prunelab::Error as set_layer_rate.
    float threshold_for_rate(const std::string& layer, double rate) const;
    LayerPruneState prune_state(const std::string& layer) const;
    /// A layer's unit scores (heads at head granularity, neurons, filters) with what its
    /// current cut prunes: the Heads view's cells. @throws prunelab::Error when not scored or
    /// the layer is unknown.
    UnitScores unit_scores(const std::string& layer) const;
    /// Ranks every layer that is neither locked nor excluded together (global_unstructured
    /// semantics) and sets their thresholds so that `rate` of the scored elements of all
    /// layers (locked ones counted as they stand) is pruned. @throws prunelab::Error for a
    /// rate outside [0, 1].
    void set_global_rate(double rate);
    /// Sets how the next global rate (and sweeps and iterative runs) ranks layers; the cuts
    /// already made stay. @throws prunelab::Error for an unknown normalizer or a rate outside
    /// [0, 1].
    void set_global_ranking(const GlobalRankingSettings& settings);
    GlobalRankingSettings global_ranking() const;
    /// Every layer's current threshold (layers without one are absent).
    std::map<std::string, float> thresholds() const;
    /// Replaces all thresholds at once and applies them (every element <= its threshold pruned).
    void set_thresholds(const std::map<std::string, float>& thresholds);
    /// Every layer's cut, exactly (threshold and, for a rate's cut, the count): what undo keeps.
    LayerCuts cuts() const;
    /// Replaces all cuts at once (for undo) and applies them.
    void set_cuts(const LayerCuts& cuts);
    /// Locked layers keep their threshold when the global rate moves.
    void set_locked(const std::string& layer, bool locked);
    /// Excluded layers are never pruned (their threshold is dropped).
    void set_excluded(const std::string& layer, bool excluded);
    std::set<std::string> locked() const;
    std::set<std::string> excluded() const;
    /// Back to the opened weights: no masks, no thresholds, scores recomputed.
    void reset_to_dense();
    /// Makes the shown model the new base without training: its masks are committed (they
    /// stay whatever the thresholds do next) and the base weights are rescored.
    /// @throws prunelab::Error when nothing is pruned.
    void apply();
    /// Whether a sensitivity analysis of the current base and criterion is available.
    bool has_sensitivity() const;
    /// With a sensitivity analysis, the global rate is spread over layers by their curves
    /// (insensitive layers pruned harder) instead of by one global ranking.
    void set_auto_allocation(bool on);
    bool auto_allocation() const;
    /// Keep bits of every masked parameter of the shown model (true keeps), for tests and
    /// comparisons. Empty when nothing is pruned.
    std::map<std::string, std::vector<bool>> mask_bits() const;

    // Jobs (see SessionJob). Each copies what it needs now.
    /// Fine-tunes the shown model with its masks held; finish() makes the result the new base.
    std::unique_ptr<SessionJob> make_fine_tune_job(const FineTuneSettings& settings) const;
    /// Knowledge distillation from the model as opened (the teacher) into a student.
    std::unique_ptr<SessionJob> make_distill_job(const DistillSettings& settings) const;
    /// Prunes to a target in steps with fine-tuning (run_pruning) from the base weights.
    std::unique_ptr<SessionJob> make_iterate_job(const IterateSettings& settings) const;
    /// Accuracy against sparsity from the base weights; the session's model is not changed.
    std::unique_ptr<SessionJob> make_sweep_job(const SweepSettings& settings) const;
    /// Test accuracy of the shown model; finish() records it unless the model changed since.
    std::unique_ptr<SessionJob> make_evaluate_job() const;
    /// Per-layer sensitivity (each layer pruned alone at 10..90%) from the base weights with the
    /// current criterion; finish() keeps it for sensitivity-based allocation.
    std::unique_ptr<SessionJob> make_sensitivity_job() const;
    /// Scores with any criterion (data-driven ones run calibration batches).
    std::unique_ptr<SessionJob> make_score_job(const std::string& criterion,
                                               const std::string& granularity) const;

    /// Builds the compacted copy of the shown model (pruned channels removed for real) and
    /// times dense, masked and compacted models in turns at batch 1 and 64. The session's model
    /// is not changed; finish() keeps the compacted copy for export_compacted().
    /// `timing_runs`: timed forward passes per model at batch 64 (four times as many at batch 1).
    std::unique_ptr<SessionJob> make_compact_job(int timing_runs = 15) const;
    /// The last compaction, while the shown model is still the one it was made from.
    std::optional<CompactionReport> compaction() const;
    /// Writes the compacted model: a PruneLab checkpoint (TorchScript for a TorchScript
    /// model). @throws prunelab::Error when there is no current compaction or the path
    /// cannot be written.
    void export_compacted(const std::string& path) const;
    /// Writes ONNX (docs/onnx-export.md) of the compacted model when a compaction of the model
    /// as shown exists, else of the shown model (pruned weights as zeros). Returns what it
    /// wrote: "compacted" or "masked". @throws prunelab::Error naming an operation ONNX export
    /// cannot translate, or the path.
    std::string export_onnx(const std::string& path) const;

    struct Impl;
    Impl& impl() { return *m_impl; }
    const Impl& impl() const { return *m_impl; }

private:
    Session();
    /// @throws prunelab::Error when `layer` cannot be cut now (not pruned at this granularity,
    /// excluded, unknown).
    void check_editable(const std::string& layer) const;
    std::unique_ptr<Impl> m_impl;
};

/// Whether a criterion needs calibration data (so scoring runs as a job).
bool criterion_is_data_driven(const std::string& criterion);

} // namespace prunelab
