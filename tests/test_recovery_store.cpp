#include "app/gui/recovery_store.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <unistd.h>

using namespace prunelab;

namespace {

/// A PID that ran and has exited (and been reaped): what a crashed window's folder is named.
qint64 deadPid()
{
    QProcess process;
    process.start("true", QStringList());
    process.waitForStarted();
    const qint64 pid = process.processId();
    process.waitForFinished();
    return pid;
}

void writeProject(const QString& folder, const QByteArray& json)
{
    QDir().mkpath(folder);
    QFile file(QDir(folder).filePath("recovery.prunelab.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
}

} // namespace

class TestRecoveryStore : public QObject
{
    Q_OBJECT
private slots:
    void ownFolderIsNamedByPidAndDiscarded()
    {
        QTemporaryDir root;
        RecoveryStore store(root.path());
        QVERIFY(store.projectPath().startsWith(root.filePath(QString::number(::getpid()))));
        QVERIFY(store.prepare());
        writeProject(QFileInfo(store.projectPath()).path(), "{}");
        // A running window's autosave is never offered, not even to another window.
        QVERIFY(RecoveryStore(root.path()).orphans().isEmpty());
        store.discard();
        QVERIFY(!QFile::exists(store.projectPath()));
    }

    void orphansAreFoldersOfExitedWindowsNewestFirst()
    {
        QTemporaryDir root;
        const QString older = root.filePath(QString::number(deadPid()));
        writeProject(older, R"({"recovered_for": "/work/a.prunelab.json"})");
        QThread::msleep(20);
        const QString newer = root.filePath(QString::number(deadPid()));
        writeProject(newer, "{}");
        QFile(QDir(older).filePath("recovery.prunelab.json"))
            .setFileTime(QDateTime::currentDateTime().addSecs(-60),
                         QFileDevice::FileModificationTime);
        const QString empty = root.filePath(QString::number(deadPid())); // died before autosaving
        QDir().mkpath(empty);
        QDir().mkpath(root.filePath("notes")); // not a window's folder: left alone

        const auto orphans = RecoveryStore(root.path()).orphans();
        QCOMPARE(orphans.size(), 2);
        QCOMPARE(orphans[0].folder, newer);
        QCOMPARE(orphans[1].original, QString("/work/a.prunelab.json"));
        QVERIFY(orphans[0].original.isEmpty());
        QVERIFY(!QDir(empty).exists());
        QVERIFY(QDir(root.filePath("notes")).exists());
        RecoveryStore::remove(orphans[1]);
        QVERIFY(!QDir(older).exists());
    }
};

QTEST_GUILESS_MAIN(TestRecoveryStore)
#include "test_recovery_store.moc"
