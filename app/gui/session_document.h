#pragma once

#include "app/gui/edit_command.h"
#include "engine/session/session.h"

#include <QObject>
#include <QString>

#include <memory>

class QUndoStack;

namespace prunelab {

/// The document between the window and the session (Tiled's MapDocument, KeePassXC's
/// Database): owns the open Session and the undo stack, turns every edit into an undo command
/// that calls back here, and says what changed by signals, so the docks subscribe instead of
/// being refreshed by hand. Errors of an edit are reported by `failed`, never thrown.
class SessionDocument : public QObject
{
    Q_OBJECT
public:
    explicit SessionDocument(QObject* parent = nullptr);
    ~SessionDocument() override;

    /// Null until a model is opened.
    Session* session() const { return m_session.get(); }
    QUndoStack* undoStack() const { return m_undo; }

    /// Takes a newly opened model or project. Edits of the previous one do not apply to it: the
    /// undo stack is cleared. Emits modelChanged.
    void adopt(std::unique_ptr<Session> session);

    // Undoable edits. `open`: further moves of the same drag merge into this command until
    // closeMerging(). Each returns false (and emits `failed`) when the session refuses it.
    bool setThreshold(const QString& layer, float threshold, bool open);
    bool setLayerRate(const QString& layer, double rate);
    bool setGlobalRate(double rate, bool open);
    bool setLocked(const QString& layer, bool locked);
    bool setExcluded(const QString& layer, bool excluded);
    /// Ends the drag in progress: the next move starts a new command.
    void closeMerging();

    /// New scores (thresholds of other scores mean nothing: undo cleared). Emits scoresChanged.
    bool score(const std::string& criterion, const std::string& granularity);
    /// Folds a finished job into the session. A job that changed the model clears the undo
    /// stack (edits before a fine-tune do not apply to its weights) and emits scoresChanged;
    /// every job emits jobFinished. @throws what the job's finish throws.
    JobOutcome finishJob(SessionJob& job);
    /// Commits the shown masks into the base (the edits were relative to it: undo cleared).
    /// Emits scoresChanged.
    bool applyMasks();
    /// Back to the opened weights (undo cleared). Emits scoresChanged.
    bool resetToDense();

    // Called by EditCommand (redo and undo).
    void apply(const CutEdit& edit);
    void revert(const CutEdit& edit, const LayerCuts& before);

signals:
    /// Cuts, locks or exclusions changed: masks, rates, sparsity.
    void thresholdsChanged();
    /// The scores (and so every histogram) changed; thresholds were reset.
    void scoresChanged();
    /// Another model (or project) was adopted.
    void modelChanged();
    void jobFinished(prunelab::JobKind kind, bool cancelled);
    void failed(const QString& message);

private:
    bool push(CutEdit edit, bool open);
    bool guarded(const std::function<void()>& action);

    std::unique_ptr<Session> m_session;
    QUndoStack* m_undo = nullptr;
};

} // namespace prunelab
