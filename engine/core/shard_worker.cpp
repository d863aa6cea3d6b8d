#include "engine/core/shard_worker.h"

#include "engine/core/blas_threads.h"

#include <ATen/Parallel.h>

namespace prunelab {

ShardWorker::ShardWorker() : m_thread([this] { loop(); }) {}

ShardWorker::~ShardWorker()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void ShardWorker::start(std::function<void()> job)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_job = std::move(job);
        m_busy = true;
        m_error = nullptr;
    }
    m_changed.notify_all();
}

void ShardWorker::wait()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    if (m_error)
        std::rethrow_exception(std::exchange(m_error, nullptr));
}

void ShardWorker::loop()
{
    // Each shard runs single-threaded: on small models OpenMP's fork/join costs more than the
    // kernels it splits, while whole shards on separate cores scale.
    at::set_num_threads(1);
    set_blas_threads(1);
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_stopping || (m_busy && m_job); });
        if (m_stopping)
            return;
        auto job = std::move(m_job);
        m_job = nullptr;
        lock.unlock();
        std::exception_ptr error;
        try {
            job();
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        m_error = error;
        m_busy = false;
        m_changed.notify_all();
    }
}

} // namespace prunelab
