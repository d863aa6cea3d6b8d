// Session's compaction job: the shown model made physically smaller, and timed beside the
// dense and masked ones.

#include "engine/compaction/compaction.h"
#include "engine/compaction/latency.h"
#include "engine/core/error.h"
#include "engine/export/onnx_export.h"
#include "engine/interop/model_loader.h"
#include "engine/session/session_impl.h"
#include "engine/training/data_parallel.h"

#include <algorithm>

namespace prunelab {
namespace {

class CompactJob : public SessionJob
{
public:
    CompactJob(const Session& session, int timing_runs) : m_runs(std::max(1, timing_runs))
    {
        const auto& impl = session.impl();
        m_masked = replicate(*impl.checkpoint.net);
        m_dense = replicate(*impl.checkpoint.net);
        load_named_state(*m_dense, impl.original);
        m_masks = impl.current;
        m_infos = {session.opened_info(),
                   session.info()}; // counted already; the compacted one is new
        m_metadata = impl.checkpoint.metadata;
        m_generation = impl.generation;
    }
    JobKind kind() const override { return JobKind::Compact; }
    std::string title() const override { return "Compact"; }
    bool changes_model() const override { return false; }

    void run(const JobEventSink& emit, const std::atomic<bool>& cancel) override
    {
        emit({JobEvent::Kind::Progress, "removing pruned channels", 0.05});
        m_result = compact(*m_masked, m_masks);
        m_report.changed = m_result.changed();
        m_report.max_abs_diff = m_result.max_abs_diff;
        m_report.notes = m_result.notes;
        m_report.warnings = m_result.warnings;
        m_report.generation = m_generation;
        for (const auto& g : m_result.groups)
            m_report.groups.push_back(g.leader + ": " + std::to_string(g.channels_before) + " → " +
                                      std::to_string(g.channels_after) + " channels");
        std::vector<PrunableNet*> models = {m_dense.get(), m_masked.get()};
        std::vector<std::string> labels = {"dense", "masked"};
        if (m_result.net) {
            models.push_back(m_result.net.get());
            labels.push_back("compacted");
        }
        if (m_result.net)
            m_infos.push_back(describe_model(*m_result.net));
        for (size_t i = 0; i < models.size(); ++i)
            m_report.rows.push_back(
                {labels[i], m_infos[i].total_params, m_infos[i].nonzero_weights, m_infos[i].flops});
        // Timed in turns, so a busy machine slows all three alike.
        int done = 0;
        for (int64_t batch : {int64_t(1), int64_t(64)}) {
            if (cancel.load())
                return;
            emit({JobEvent::Kind::Progress, "timing at batch " + std::to_string(batch),
                  0.2 + 0.4 * done++});
            const auto times = measure_latency(models, LatencyOptions()
                                                           .batch(batch)
                                                           .runs(batch == 1 ? 4 * m_runs : m_runs)
                                                           .warmup(2)
                                                           .max_seconds(8.0));
            for (size_t i = 0; i < times.size(); ++i)
                (batch == 1 ? m_report.rows[i].latency_ms_1 : m_report.rows[i].latency_ms_64) =
                    times[i].median_ms;
        }
        m_timed = true;
    }

    JobOutcome finish(Session& session) override
    {
        JobOutcome outcome;
        outcome.title = title();
        outcome.warnings = m_report.warnings;
        if (!m_timed) {
            outcome.cancelled = true;
            outcome.summary = "Compaction stopped.";
            return outcome;
        }
        auto& impl = session.impl();
        if (!m_report.changed) {
            outcome.summary = m_report.notes.empty() ? "Nothing to remove." : m_report.notes.back();
        } else {
            const auto& dense = m_report.rows.front();
            const auto& small = m_report.rows.back();
            char line[200];
            std::snprintf(
                line, sizeof line,
                "Compacted: %lld → %lld parameters, %.2f× faster at batch 64, %.2f× at batch 1.",
                static_cast<long long>(dense.params), static_cast<long long>(small.params),
                dense.latency_ms_64 / small.latency_ms_64, dense.latency_ms_1 / small.latency_ms_1);
            outcome.summary = line;
        }
        if (impl.generation != m_generation) {
            outcome.summary += " (Of an earlier state; the model changed since.)";
            return outcome;
        }
        impl.compaction = m_report;
        impl.compacted = m_result.net;
        impl.compacted_masks = m_result.masks;
        impl.compacted_metadata = m_metadata;
        impl.compacted_record = compaction_record(m_result, impl.source);
        return outcome;
    }

private:
    std::shared_ptr<PrunableNet> m_dense, m_masked;
    MaskSet m_masks;
    std::vector<ModelInfo> m_infos; ///< dense, masked, then compacted
    nlohmann::json m_metadata;
    uint64_t m_generation = 0;
    CompactionResult m_result;
    CompactionReport m_report;
    bool m_timed = false;
    int m_runs;
};

} // namespace

std::unique_ptr<SessionJob> Session::make_compact_job(int timing_runs) const
{
    return std::make_unique<CompactJob>(*this, timing_runs);
}

std::optional<CompactionReport> Session::compaction() const
{
    if (m_impl->compaction && m_impl->compaction->generation == m_impl->generation)
        return m_impl->compaction;
    return std::nullopt;
}

void Session::export_compacted(const std::string& path) const
{
    const auto report = compaction();
    if (!report || !m_impl->compacted)
        throw Error("no compacted model of the model as shown: run Compact first");
    Checkpoint out;
    out.net = m_impl->compacted;
    out.masks = m_impl->compacted_masks.to_bool();
    out.metadata = m_impl->compacted_metadata;
    MetadataUpdate update;
    update.source = m_impl->source;
    update.compaction = m_impl->compacted_record;
    update.accuracy_unknown = true;
    m_impl->record_accuracy(update); // same outputs as the masked model, same accuracy
    stamp_metadata(out.metadata, update);
    save_model(out, path); // TorchScript stays TorchScript
}

std::string Session::export_onnx(const std::string& path) const
{
    // Deployment wants the smaller, faster model: the compacted one when it is current.
    const bool compacted = compaction() && m_impl->compacted;
    prunelab::export_onnx(compacted ? *m_impl->compacted : *m_impl->checkpoint.net, path);
    return compacted ? "compacted" : "masked";
}

} // namespace prunelab
