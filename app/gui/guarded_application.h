#pragma once

#include <QApplication>

#include <functional>

namespace prunelab {

/// The window's QApplication: an exception escaping any event handler or slot (a bug, or a
/// LibTorch error nobody expected) is caught here, logged and shown, and the session lives on.
/// Qt itself does not support exceptions through its event loop: uncaught, one ends the
/// program and the unsaved work with it (issue 16: "the window survives").
class GuardedApplication : public QApplication
{
public:
    GuardedApplication(int& argc, char** argv);

    bool notify(QObject* receiver, QEvent* event) override;

    /// Replaces the message box (tests install a recorder).
    void setErrorHandler(std::function<void(const QString&)> handler);

private:
    std::function<void(const QString&)> m_errorHandler;
};

} // namespace prunelab
