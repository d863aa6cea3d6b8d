#pragma once

// What the session's jobs share (session_jobs.cpp, session_distill_job.cpp): the copy of the
// model every job starts from, and the wording of their summaries. Engine-internal.

#include "engine/pruning/importance.h"
#include "engine/session/session_impl.h"
#include "engine/training/data_parallel.h"

#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace prunelab::session_jobs {

/// "Validation" from "validation": a split's name at the start of a sentence.
inline std::string capitalized(std::string word)
{
    if (!word.empty())
        word[0] = char(std::toupper(static_cast<unsigned char>(word[0])));
    return word;
}

inline std::string percent(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", fraction * 100.0);
    return text;
}

inline std::string decimals(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", value);
    return text;
}

/// What every job starts from: a copy of the model, the data choice, and the splits if the
/// session already loaded them.
class CopyJob : public SessionJob
{
public:
    CopyJob(const Session& session, bool from_base)
    {
        const auto& impl = session.impl();
        m_net = replicate(*impl.checkpoint.net);
        if (from_base)
            load_named_state(*m_net, impl.base);
        m_masks = from_base ? impl.committed : impl.current;
        m_data = impl.data;
        m_splits = impl.cached_splits();
        m_generation = impl.generation;
        m_base_version = impl.base_version;
        m_accuracy_before = impl.accuracy;
        m_criterion = impl.criterion;
        m_granularity = parse_granularity(impl.granularity);
        m_excluded = impl.excluded;
        m_locked = impl.locked;
        m_normalizer = impl.normalizer;
        m_max_layer_rate = impl.max_layer_rate;
        if (impl.pruner)
            m_scores = impl.pruner->importance();
    }

protected:
    /// The outcome fields every result with a curve fills the same way (sweep, iterate).
    template <class Result>
    JobOutcome outcome_of(const Result& result) const
    {
        JobOutcome outcome;
        outcome.title = title();
        outcome.cancelled = result.cancelled;
        outcome.warnings = result.warnings;
        outcome.dense_accuracy = result.dense_accuracy;
        return outcome;
    }

    const DataSplits& data(const JobEventSink& emit)
    {
        if (!m_splits) {
            emit({JobEvent::Kind::Progress, "loading " + m_data.spec});
            m_splits = load_splits(m_data, m_net->spec());
            m_loaded = true;
        }
        return *m_splits;
    }

    /// Hands freshly loaded splits to the session (when it still wants the same data).
    void keep_data(Session& session) const
    {
        auto& impl = session.impl();
        if (m_loaded && m_splits && impl.data == m_data)
            impl.splits = m_splits;
    }

    /// Scores for the trained copy: recomputed (data-free criteria are instant), or the old ones
    /// when the run was cancelled and a data-driven criterion would need calibration batches.
    ImportanceResult rescore(bool cancelled)
    {
        if (cancelled && criterion_needs_data(m_criterion) && !m_scores.layers.empty())
            return m_scores;
        auto options = ImportanceOptions().criterion(m_criterion).granularity(m_granularity);
        return compute_importance(*m_net, m_splits ? &m_splits->train : nullptr, options);
    }

    std::shared_ptr<PrunableNet> m_net;
    MaskSet m_masks;
    DataChoice m_data;
    std::shared_ptr<const DataSplits> m_splits;
    bool m_loaded = false;
    uint64_t m_generation = 0;
    uint64_t m_base_version = 0;
    std::optional<double> m_accuracy_before;
    std::string m_criterion;
    Granularity m_granularity = Granularity::Weight;
    std::set<std::string> m_excluded;
    std::set<std::string> m_locked;
    std::optional<ScoreNormalizer> m_normalizer; ///< the session's global ranking
    std::optional<double> m_max_layer_rate;
    ImportanceResult m_scores;
};

inline std::string accuracy_change(const std::optional<double>& before,
                                   const std::optional<double>& after)
{
    const std::string b = before ? percent(*before) : std::string("?");
    const std::string a = after ? percent(*after) : std::string("?");
    return "accuracy " + b + " → " + a;
}

} // namespace prunelab::session_jobs
