#pragma once

#include "engine/session/session.h"

#include <QString>
#include <QUndoCommand>

namespace prunelab {

class SessionDocument;

/// One edit of where layers are cut, as data: the undo command replays it through the
/// SessionDocument (never through the window), and undo restores the exact cuts from before.
struct CutEdit
{
    enum class Kind
    {
        Threshold,  ///< `layer`'s threshold to `value` (every element <= it pruned)
        LayerRate,  ///< `value` of `layer`'s elements
        GlobalRate, ///< `value` of the elements of all unlocked, included layers, ranked together
        Lock,       ///< `layer` keeps its cut when the global rate moves (`on`)
        Exclude     ///< `layer` is never pruned (`on`)
    };
    Kind kind = Kind::Threshold;
    QString layer;
    double value = 0.0;
    bool on = false;

    /// "threshold of conv1", "global rate 50.0%", "Lock fc1", ...
    QString text() const;
};

/// The undo command of every edit. Moves of one drag (a threshold of the same layer, the
/// global slider) merge into one command while it is open, so Ctrl+Z undoes a whole drag.
class EditCommand : public QUndoCommand
{
public:
    EditCommand(SessionDocument* document, CutEdit edit, LayerCuts before, bool open);

    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;
    /// Ends merging: the next move starts a new command.
    void close() { m_open = false; }
    const CutEdit& edit() const { return m_edit; }

private:
    SessionDocument* m_document;
    CutEdit m_edit;
    LayerCuts m_before;
    bool m_open;
};

} // namespace prunelab
