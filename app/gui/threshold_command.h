#pragma once

#include <QString>
#include <QUndoCommand>

#include <functional>
#include <map>
#include <string>

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

namespace prunelab {

/// Setting one global rate across all layers, undoably: undo restores every layer's previous
/// threshold. Moves of one slider drag merge until close().
class SetGlobalRateCommand : public QUndoCommand
{
public:
    using Thresholds = std::map<std::string, float>;
    SetGlobalRateCommand(Thresholds before, double rate, std::function<void(double)> apply_rate,
                         std::function<void(const Thresholds&)> restore);

    void undo() override { m_restore(m_before); }
    void redo() override { m_apply_rate(m_rate); }
    int id() const override { return 2; }
    bool mergeWith(const QUndoCommand* other) override;
    void close() { m_open = false; }

private:
    Thresholds m_before;
    double m_rate;
    std::function<void(double)> m_apply_rate;
    std::function<void(const Thresholds&)> m_restore;
    bool m_open = true;
};

} // namespace prunelab

namespace prunelab {

/// Any other edit (lock, exclude, a typed rate) as a pair of functions.
class FunctionCommand : public QUndoCommand
{
public:
    FunctionCommand(const QString& text, std::function<void()> redo, std::function<void()> undo)
        : m_redo(std::move(redo)), m_undo(std::move(undo))
    {
        setText(text);
    }
    void redo() override { m_redo(); }
    void undo() override { m_undo(); }

private:
    std::function<void()> m_redo;
    std::function<void()> m_undo;
};

} // namespace prunelab
