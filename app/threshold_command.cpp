#include "app/threshold_command.h"

namespace prunelab {

SetThresholdCommand::SetThresholdCommand(QString layer, double before, double after, Apply apply)
    : m_layer(std::move(layer)), m_before(before), m_after(after), m_apply(std::move(apply))
{
    setText(QObject::tr("threshold of %1").arg(m_layer));
}

void SetThresholdCommand::undo() { m_apply(m_layer, m_before); }

void SetThresholdCommand::redo() { m_apply(m_layer, m_after); }

bool SetThresholdCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const SetThresholdCommand*>(other);
    if (!m_open || next->m_layer != m_layer)
        return false;
    m_after = next->m_after;
    return true;
}

} // namespace prunelab
