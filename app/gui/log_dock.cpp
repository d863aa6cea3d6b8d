#include "app/gui/log_dock.h"

#include "engine/core/logging.h"

#include <QMetaObject>
#include <QPlainTextEdit>
#include <QPointer>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <mutex>

namespace prunelab {
namespace {

class DockSink : public spdlog::sinks::base_sink<std::mutex>
{
public:
    explicit DockSink(LogDock* dock) : m_dock(dock) {}
    void detach()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        m_dock = nullptr;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        QString line = QString::fromUtf8(formatted.data(), int(formatted.size())).trimmed();
        QPointer<LogDock> dock = m_dock;
        if (dock)
            QMetaObject::invokeMethod(
                dock,
                [dock, line] {
                    if (dock)
                        dock->appendLine(line);
                },
                Qt::QueuedConnection);
    }
    void flush_() override {}

private:
    LogDock* m_dock;
};

} // namespace

struct LogDock::SinkHandle
{
    std::shared_ptr<DockSink> sink;
};

LogDock::LogDock(QWidget* parent) : QDockWidget(tr("Log"), parent)
{
    setObjectName(QStringLiteral("logDock"));
    m_view = new QPlainTextEdit(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    setWidget(m_view);

    m_sink = new SinkHandle{std::make_shared<DockSink>(this)};
    m_sink->sink->set_pattern("[%H:%M:%S] %l: %v");
    auto log = logger();
    log->sinks().push_back(m_sink->sink);
    // The dock shows what a user should see; the stderr sink keeps its own level.
    if (log->level() > spdlog::level::info)
        log->set_level(spdlog::level::info);
    m_sink->sink->set_level(spdlog::level::info);
}

LogDock::~LogDock()
{
    m_sink->sink->detach();
    auto& sinks = logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink->sink), sinks.end());
    delete m_sink;
}

QString LogDock::text() const
{
    return m_view->toPlainText();
}

void LogDock::appendLine(const QString& line)
{
    m_view->appendPlainText(line);
}

} // namespace prunelab
