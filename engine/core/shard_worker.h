#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace prunelab {

/// One persistent helper thread that runs a job on request, so data-parallel training can
/// hand it half a batch every step without paying for a thread start each time.
class ShardWorker
{
public:
    ShardWorker();
    ~ShardWorker();
    ShardWorker(const ShardWorker&) = delete;
    ShardWorker& operator=(const ShardWorker&) = delete;

    /// Starts `job` on the helper thread. Only one job runs at a time.
    void start(std::function<void()> job);
    /// Waits for the current job; rethrows what it threw.
    void wait();

private:
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::function<void()> m_job;
    bool m_busy = false;
    bool m_stopping = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

} // namespace prunelab
