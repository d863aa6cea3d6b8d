#include "engine/training/held_out.h"

#include "engine/models/models.h"

namespace prunelab {

const Dataset& decision_split(const DataSplits& data)
{
    return data.validation.size() > 0 ? data.validation : data.test;
}

std::string decision_split_name(const DataSplits& data)
{
    return data.validation.size() > 0 ? "validation" : "test";
}

HeldOutMeasure::HeldOutMeasure(const PrunableNet& net, const DataSplits& data)
    : m_split(&decision_split(data))
{
    if (measured_by_fidelity(net, data.train) || measured_by_fidelity(net, *m_split))
        m_reference = net.clone();
}

EvalResult HeldOutMeasure::operator()(PrunableNet& net) const
{
    return on(net, *m_split);
}

EvalResult HeldOutMeasure::on(PrunableNet& net, const Dataset& split) const
{
    return evaluate(net, split, 1000, m_reference.get());
}

} // namespace prunelab
