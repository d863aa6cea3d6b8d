#include "app/gui/guarded_application.h"

#include <QTimer>
#include <QtTest>

#include <stdexcept>

using namespace prunelab;

class TestGuardedApplication : public QObject
{
    Q_OBJECT
private slots:
    void anExceptionInASlotIsShownAndTheLoopGoesOn()
    {
        auto* app = static_cast<GuardedApplication*>(QCoreApplication::instance());
        QStringList shown;
        app->setErrorHandler([&](const QString& message) { shown << message; });
        bool after = false;
        QTimer::singleShot(0, this,
                           [] { throw std::runtime_error("torch.histc: range of [nan, nan]"); });
        QTimer::singleShot(20, this, [&] { after = true; });
        QTRY_VERIFY(after); // the event loop survived the throw
        QCOMPARE(shown.size(), 1);
        QVERIFY2(shown.first().contains("range of [nan, nan]") &&
                     shown.first().contains("session is intact"),
                 qPrintable(shown.first()));
    }
};

int main(int argc, char** argv)
{
    GuardedApplication app(argc, argv);
    TestGuardedApplication test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_guarded_application.moc"
