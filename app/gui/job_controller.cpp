#include "app/gui/job_controller.h"

#include "engine/core/error.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace prunelab {

void JobWorker::run(std::shared_ptr<SessionJob> job)
{
    QElapsedTimer progressClock, stepClock;
    progressClock.start();
    stepClock.start();
    bool firstProgress = true;
    auto forward = [&](const JobEvent& e) {
        // Thousands of steps a minute are not worth thousands of queued signals and replots.
        if (e.kind == JobEvent::Kind::Progress) {
            if (!firstProgress && progressClock.elapsed() < 50 && e.fraction < 1.0)
                return;
            firstProgress = false;
            progressClock.restart();
        } else if (e.kind == JobEvent::Kind::TrainStep) {
            if (stepClock.elapsed() < 50)
                return;
            stepClock.restart();
        }
        emit event(e);
    };
    QString error;
    try {
        job->run(forward, m_cancel);
    } catch (const std::exception& e) {
        error = QString::fromStdString(readable_message(e));
    } catch (...) {
        error = tr("%1 failed with an unknown error").arg(QString::fromStdString(job->title()));
    }
    emit ran(error);
}

JobController::JobController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<prunelab::JobEvent>();
    m_thread.setObjectName(QStringLiteral("prunelab-worker"));
    m_worker = new JobWorker(m_cancel);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &JobWorker::event, this, &JobController::jobEvent, Qt::QueuedConnection);
    connect(m_worker, &JobWorker::ran, this, &JobController::onRan, Qt::QueuedConnection);
    m_thread.start();
}

JobController::~JobController()
{
    m_cancel = true;
    m_pending.reset();
    m_thread.requestInterruption();
    m_thread.quit();
    m_thread.wait();
}

bool JobController::start(std::unique_ptr<SessionJob> job)
{
    std::shared_ptr<SessionJob> shared(std::move(job));
    if (m_running) {
        if (m_running->changes_model())
            return false;
        m_pending = shared; // an evaluation gives way
        m_cancel = true;
        return true;
    }
    launch(shared);
    return true;
}

void JobController::launch(std::shared_ptr<SessionJob> job)
{
    m_cancel = false;
    m_running = job;
    m_clock.start();
    emit started(QString::fromStdString(job->title()));
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, job] { worker->run(job); }, Qt::QueuedConnection);
}

void JobController::stop()
{
    m_pending.reset();
    m_cancel = true;
}

QString JobController::runningTitle() const
{
    return m_running ? QString::fromStdString(m_running->title()) : QString();
}

double JobController::elapsedSeconds() const
{
    return m_running ? double(m_clock.elapsed()) / 1000.0 : 0.0;
}

void JobController::onRan(const QString& error)
{
    auto job = std::move(m_running);
    m_running.reset();
    emit ran(job, error);
    if (m_pending && !m_running) {
        auto next = std::move(m_pending);
        m_pending.reset();
        launch(next);
    } else if (!m_running) {
        emit idle();
    }
}

} // namespace prunelab
