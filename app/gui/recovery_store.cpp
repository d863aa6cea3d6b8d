#include "app/gui/recovery_store.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace prunelab {
namespace {

const QString kProjectName = QStringLiteral("recovery.prunelab.json");

bool processRuns(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
}

} // namespace

RecoveryStore::RecoveryStore(QString root) : m_root(std::move(root))
{
    if (m_root.isEmpty())
        m_root = qEnvironmentVariable("PRUNELAB_RECOVERY_DIR");
    if (m_root.isEmpty())
        m_root = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                 QStringLiteral("/recovery");
    m_folder = QDir(m_root).filePath(QString::number(::getpid()));
}

QString RecoveryStore::projectPath() const
{
    return QDir(m_folder).filePath(kProjectName);
}

bool RecoveryStore::prepare() const
{
    return QDir().mkpath(m_folder);
}

void RecoveryStore::discard() const
{
    QDir(m_folder).removeRecursively();
}

QList<RecoveryStore::Orphan> RecoveryStore::orphans() const
{
    QList<Orphan> found;
    const QDir root(m_root);
    for (const QString& name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = name.toLongLong(&isPid);
        if (!isPid || processRuns(pid))
            continue; // not ours, or a window still running
        Orphan orphan;
        orphan.folder = root.filePath(name);
        orphan.project = QDir(orphan.folder).filePath(kProjectName);
        const QFileInfo info(orphan.project);
        if (!info.isFile()) { // crashed before its first autosave: nothing to offer
            QDir(orphan.folder).removeRecursively();
            continue;
        }
        orphan.saved = info.lastModified();
        QFile file(orphan.project);
        if (file.size() < (1 << 20) && file.open(QIODevice::ReadOnly))
            orphan.original = QJsonDocument::fromJson(file.readAll())
                                  .object()
                                  .value(QStringLiteral("recovered_for"))
                                  .toString();
        found.append(orphan);
    }
    std::sort(found.begin(), found.end(),
              [](const Orphan& a, const Orphan& b) { return a.saved > b.saved; });
    return found;
}

void RecoveryStore::remove(const Orphan& orphan)
{
    QDir(orphan.folder).removeRecursively();
}

} // namespace prunelab
