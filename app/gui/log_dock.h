#pragma once

#include <QDockWidget>

class QPlainTextEdit;

namespace prunelab {

/// A dock that shows the engine's spdlog records. A sink installed on the "prunelab" logger
/// forwards each record to the dock through a queued call, so records from worker threads are
/// safe. The sink is removed when the dock is destroyed.
class LogDock : public QDockWidget
{
    Q_OBJECT
public:
    explicit LogDock(QWidget* parent = nullptr);
    ~LogDock() override;

    /// The text shown so far (for tests).
    QString text() const;
    /// Appends one line (called on the GUI thread).
    void appendLine(const QString& line);

private:
    QPlainTextEdit* m_view = nullptr;
    struct SinkHandle;
    SinkHandle* m_sink = nullptr;
};

} // namespace prunelab
