#include "app/gui/threshold_command.h"

namespace prunelab {

SetThresholdCommand::SetThresholdCommand(QString layer, double before, double after, Apply apply)
    : m_layer(std::move(layer)), m_before(before), m_after(after), m_apply(std::move(apply))
{
    setText(QObject::tr("threshold of %1").arg(m_layer));
}

void SetThresholdCommand::undo()
{
    m_apply(m_layer, m_before);
}

void SetThresholdCommand::redo()
{
    m_apply(m_layer, m_after);
}

bool SetThresholdCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const SetThresholdCommand*>(other);
    if (!m_open || next->m_layer != m_layer)
        return false;
    m_after = next->m_after;
    return true;
}

} // namespace prunelab

namespace prunelab {

SetGlobalRateCommand::SetGlobalRateCommand(Thresholds before, double rate,
                                           std::function<void(double)> apply_rate,
                                           std::function<void(const Thresholds&)> restore)
    : m_before(std::move(before)), m_rate(rate), m_apply_rate(std::move(apply_rate)),
      m_restore(std::move(restore))
{
    setText(QObject::tr("global rate %1%").arg(rate * 100.0, 0, 'f', 1));
}

bool SetGlobalRateCommand::mergeWith(const QUndoCommand* other)
{
    if (!m_open)
        return false;
    m_rate = static_cast<const SetGlobalRateCommand*>(other)->m_rate;
    setText(QObject::tr("global rate %1%").arg(m_rate * 100.0, 0, 'f', 1));
    return true;
}

} // namespace prunelab
