#include "app/gui/guarded_application.h"

#include "app/gui/action_text.h"

#include "engine/core/error.h"
#include "engine/core/logging.h"

#include <spdlog/logger.h>

#include <QMessageBox>

namespace prunelab {

GuardedApplication::GuardedApplication(int& argc, char** argv) : QApplication(argc, argv)
{
    m_errorHandler = [](const QString& message) { showErrorBox(activeWindow(), message); };
}

bool GuardedApplication::notify(QObject* receiver, QEvent* event)
{
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& e) {
        const QString message =
            tr("Something went wrong, and that action was not completed: %1\n\nYour session is "
               "intact; saving it as a project now is a good idea.")
                .arg(QString::fromStdString(readable_message(e)));
        logger()->error("uncaught exception in an event handler: {}", readable_message(e));
        m_errorHandler(message);
    } catch (...) {
        logger()->error("uncaught non-standard exception in an event handler");
        m_errorHandler(tr("Something went wrong, and that action was not completed."));
    }
    return false;
}

void GuardedApplication::setErrorHandler(std::function<void(const QString&)> handler)
{
    m_errorHandler = std::move(handler);
}

} // namespace prunelab
