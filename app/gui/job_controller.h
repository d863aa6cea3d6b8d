#pragma once

#include "engine/session/session.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

Q_DECLARE_METATYPE(prunelab::JobEvent)

namespace prunelab {

/// Lives on the worker thread: runs one SessionJob at a time, forwards its events (progress and
/// training steps at most every 50 ms; epochs and points always) and stops every exception.
class JobWorker : public QObject
{
    Q_OBJECT
public:
    explicit JobWorker(const std::atomic<bool>& cancel) : m_cancel(cancel) {}
    void run(std::shared_ptr<SessionJob> job);

signals:
    void event(const prunelab::JobEvent& event);
    /// `error` is empty on success (also after a cancel).
    void ran(const QString& error);

private:
    const std::atomic<bool>& m_cancel;
};

/// Owns the worker thread. One job runs at a time; a job that does not change the model (an
/// evaluation) gives way to one that does: it is stopped and the new job starts after it.
/// Stop sets an atomic flag the engine checks per batch — a direct call, not a queued slot, so
/// it takes effect while the worker is busy.
class JobController : public QObject
{
    Q_OBJECT
public:
    explicit JobController(QObject* parent = nullptr);
    ~JobController() override;

    /// Starts a job, or queues it behind a running evaluation. Returns false (and does
    /// nothing) while a model-changing job runs.
    bool start(std::unique_ptr<SessionJob> job);
    void stop();
    bool isBusy() const { return bool(m_running); }
    /// Whether the running job will change the model (edits wait for it).
    bool isChangingModel() const { return m_running && m_running->changes_model(); }
    QString runningTitle() const;
    /// The running job's kind; only meaningful while isBusy().
    JobKind runningKind() const { return m_running ? m_running->kind() : JobKind::Evaluate; }
    /// Seconds since the running job started.
    double elapsedSeconds() const;

signals:
    void started(const QString& title);
    void jobEvent(const prunelab::JobEvent& event);
    /// The job's run() returned. The receiver calls finish() on `job` (on this thread) unless
    /// `error` is set.
    void ran(std::shared_ptr<prunelab::SessionJob> job, const QString& error);
    void idle();

private:
    void launch(std::shared_ptr<SessionJob> job);
    void onRan(const QString& error);

    QThread m_thread;
    JobWorker* m_worker = nullptr;
    std::atomic<bool> m_cancel{false};
    std::shared_ptr<SessionJob> m_running;
    std::shared_ptr<SessionJob> m_pending;
    QElapsedTimer m_clock;
};

} // namespace prunelab
