#include "app/gui/session_document.h"

#include "engine/core/error.h"

#include <QUndoStack>

namespace prunelab {

SessionDocument::SessionDocument(QObject* parent) : QObject(parent), m_undo(new QUndoStack(this)) {}

SessionDocument::~SessionDocument()
{
    m_undo->disconnect(); // clearing the stack while the window dies must not call back
}

void SessionDocument::adopt(std::unique_ptr<Session> session)
{
    m_undo->clear();
    m_session = std::move(session);
    emit modelChanged();
}

bool SessionDocument::guarded(const std::function<void()>& action)
{
    try {
        action();
        return true;
    } catch (const std::exception& e) {
        emit failed(QString::fromStdString(readable_message(e)));
        return false;
    }
}

bool SessionDocument::push(CutEdit edit, bool open)
{
    if (!m_session)
        return false;
    m_undo->push(new EditCommand(this, std::move(edit), m_session->cuts(), open));
    if (!open)
        closeMerging();
    return true;
}

bool SessionDocument::setThreshold(const QString& layer, float threshold, bool open)
{
    return push({CutEdit::Kind::Threshold, layer, threshold, false}, open);
}

bool SessionDocument::setLayerRate(const QString& layer, double rate)
{
    // Refused before it is pushed: a bad rate must not become an undo step.
    if (!m_session || !guarded([&] { m_session->threshold_for_rate(layer.toStdString(), rate); }))
        return false;
    return push({CutEdit::Kind::LayerRate, layer, rate, false}, false);
}

bool SessionDocument::setGlobalRate(double rate, bool open)
{
    return push({CutEdit::Kind::GlobalRate, {}, rate, false}, open);
}

bool SessionDocument::setLocked(const QString& layer, bool locked)
{
    return push({CutEdit::Kind::Lock, layer, 0.0, locked}, false);
}

bool SessionDocument::setExcluded(const QString& layer, bool excluded)
{
    return push({CutEdit::Kind::Exclude, layer, 0.0, excluded}, false);
}

void SessionDocument::closeMerging()
{
    if (m_undo->index() == 0)
        return;
    auto* last = const_cast<QUndoCommand*>(m_undo->command(m_undo->index() - 1));
    if (auto* edit = dynamic_cast<EditCommand*>(last))
        edit->close();
}

void SessionDocument::apply(const CutEdit& edit)
{
    if (!m_session)
        return;
    const std::string layer = edit.layer.toStdString();
    guarded([&] {
        switch (edit.kind) {
        case CutEdit::Kind::Threshold:
            m_session->set_threshold(layer, float(edit.value));
            break;
        case CutEdit::Kind::LayerRate:
            m_session->set_layer_rate(layer, edit.value);
            break;
        case CutEdit::Kind::GlobalRate:
            m_session->set_global_rate(edit.value);
            break;
        case CutEdit::Kind::Lock:
            m_session->set_locked(layer, edit.on);
            break;
        case CutEdit::Kind::Exclude:
            m_session->set_excluded(layer, edit.on);
            break;
        }
    });
    emit thresholdsChanged();
}

void SessionDocument::revert(const CutEdit& edit, const LayerCuts& before)
{
    if (!m_session)
        return;
    guarded([&] {
        if (edit.kind == CutEdit::Kind::Lock)
            m_session->set_locked(edit.layer.toStdString(), !edit.on);
        else if (edit.kind == CutEdit::Kind::Exclude)
            m_session->set_excluded(edit.layer.toStdString(), !edit.on);
        if (m_session->is_scored())
            m_session->set_cuts(before);
    });
    emit thresholdsChanged();
}

bool SessionDocument::score(const std::string& criterion, const std::string& granularity)
{
    if (!m_session || !guarded([&] { m_session->score(criterion, granularity); }))
        return false;
    m_undo->clear();
    emit scoresChanged();
    return true;
}

JobOutcome SessionDocument::finishJob(SessionJob& job)
{
    const JobOutcome outcome = job.finish(*m_session);
    if (job.changes_model()) {
        m_undo->clear();
        emit scoresChanged();
    }
    emit jobFinished(job.kind(), outcome.cancelled);
    return outcome;
}

bool SessionDocument::applyMasks()
{
    if (!m_session || !guarded([&] { m_session->apply(); }))
        return false;
    m_undo->clear();
    emit scoresChanged();
    return true;
}

bool SessionDocument::resetToDense()
{
    if (!m_session || !guarded([&] { m_session->reset_to_dense(); }))
        return false;
    m_undo->clear();
    emit scoresChanged();
    return true;
}

} // namespace prunelab
