#pragma once

#include <QString>
#include <QUndoCommand>

#include <functional>

namespace prunelab {

/// Moving one layer's threshold, undoably. Every move of one drag merges into a single command
/// until the drag ends (close()), so Ctrl+Z undoes a whole drag.
class SetThresholdCommand : public QUndoCommand
{
public:
    using Apply = std::function<void(const QString& layer, double threshold)>;

    SetThresholdCommand(QString layer, double before, double after, Apply apply);

    void undo() override;
    void redo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;
    /// Ends merging: the next move starts a new command.
    void close() { m_open = false; }

private:
    QString m_layer;
    double m_before;
    double m_after;
    Apply m_apply;
    bool m_open = true;
};

} // namespace prunelab
