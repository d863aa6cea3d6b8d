#pragma once

#include "engine/data/dataset.h"
#include "engine/training/trainer.h"

#include <memory>
#include <string>

namespace prunelab {

class PrunableNet;

/// The split every pruning decision is measured on — sensitivity, automatic allocation, sweep
/// curves, the window's live accuracy: the validation split when the data has one
/// (DataOptions::validation_fraction, 0.1 by default), else the test split. Keeping decisions off
/// the test split is what keeps its number an honest report.
const Dataset& decision_split(const DataSplits& data);
/// "validation" or "test": which split decision_split returns, for labels in reports.
std::string decision_split_name(const DataSplits& data);

/// What a curve's numbers are: `accuracy` (top-1) or `fidelity` (cosine similarity of the
/// outputs to the dense model's), measured on which `split` ("validation" or "test").
struct MeasuredOn
{
    std::string metric = "accuracy";
    std::string split = "validation";
};

/// Measures a model the way decisions compare its states: top-1 accuracy for a classifier on
/// labelled data, otherwise output fidelity to the model as it was when this was made (a frozen
/// copy), so one number — EvalResult::accuracy — ranks states whatever the task.
class HeldOutMeasure
{
public:
    /// Decides the measure from `net` and both splits (unlabelled training data also means
    /// fidelity: there is nothing to fine-tune against but the dense outputs).
    HeldOutMeasure(const PrunableNet& net, const DataSplits& data);

    EvalResult operator()(PrunableNet& net) const;
    /// Measures on another split of the same task (the test split, for a final report).
    EvalResult on(PrunableNet& net, const Dataset& split) const;

    bool fidelity() const { return m_reference != nullptr; }
    /// The frozen dense copy fidelity is measured against (null for accuracy).
    PrunableNet* reference() const { return m_reference.get(); }
    const Dataset& split() const { return *m_split; }
    /// "accuracy" or "fidelity": what EvalResult::accuracy holds.
    std::string metric() const { return fidelity() ? "fidelity" : "accuracy"; }
    MeasuredOn measured_on(const DataSplits& data) const
    {
        return {metric(), decision_split_name(data)};
    }

private:
    const Dataset* m_split;
    std::shared_ptr<PrunableNet> m_reference;
};

} // namespace prunelab
