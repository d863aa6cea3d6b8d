#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace prunelab {

/// Where the window autosaves its session, and what a crashed window left there. Each running
/// window owns ROOT/<its PID>/; a folder whose PID no longer runs (the window crashed or was
/// killed) is an orphan the next window offers to recover. Several windows never see each
/// other's autosaves while they run.
class RecoveryStore
{
public:
    struct Orphan
    {
        QString folder;
        QString project;  ///< the autosaved *.prunelab.json
        QString original; ///< the project it was autosaved for; empty if never saved
        QDateTime saved;
    };

    /// `root` empty: $PRUNELAB_RECOVERY_DIR, else the application's data folder + /recovery.
    explicit RecoveryStore(QString root = {});

    QString root() const { return m_root; }
    /// This window's autosave project path (its folder is created on demand).
    QString projectPath() const;
    /// Creates this window's folder. False when it cannot be made.
    bool prepare() const;
    /// Removes this window's autosave (a clean exit, or the user saved).
    void discard() const;
    /// Autosaves of windows that no longer run, newest first.
    QList<Orphan> orphans() const;
    static void remove(const Orphan& orphan);

private:
    QString m_root;
    QString m_folder;
};

} // namespace prunelab
