#include "app/gui/edit_command.h"

#include "app/gui/session_document.h"

namespace prunelab {

QString CutEdit::text() const
{
    switch (kind) {
    case Kind::Threshold:
        return QObject::tr("threshold of %1").arg(layer);
    case Kind::LayerRate:
        return QObject::tr("rate of %1 %2%").arg(layer).arg(value * 100.0, 0, 'f', 1);
    case Kind::GlobalRate:
        return QObject::tr("global rate %1%").arg(value * 100.0, 0, 'f', 1);
    case Kind::Lock:
        return on ? QObject::tr("Lock %1").arg(layer) : QObject::tr("Unlock %1").arg(layer);
    case Kind::Exclude:
        return on ? QObject::tr("Exclude %1").arg(layer) : QObject::tr("Include %1").arg(layer);
    }
    return {};
}

EditCommand::EditCommand(SessionDocument* document, CutEdit edit, LayerCuts before, bool open)
    : m_document(document), m_edit(std::move(edit)), m_before(std::move(before)), m_open(open)
{
    setText(m_edit.text());
}

void EditCommand::redo()
{
    m_document->apply(m_edit);
}

void EditCommand::undo()
{
    m_document->revert(m_edit, m_before);
}

int EditCommand::id() const
{
    // Only drags merge: a threshold's moves and the global slider's.
    switch (m_edit.kind) {
    case CutEdit::Kind::Threshold:
        return 1;
    case CutEdit::Kind::GlobalRate:
        return 2;
    default:
        return -1;
    }
}

bool EditCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const EditCommand*>(other);
    if (!m_open || next->m_edit.kind != m_edit.kind || next->m_edit.layer != m_edit.layer)
        return false;
    m_edit.value = next->m_edit.value;
    m_open = next->m_open;
    setText(m_edit.text());
    return true;
}

} // namespace prunelab
