// MainWindow: autosave to a recovery folder, and the offer to recover after a crash.

#include "app/gui/job_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/recovery_store.h"
#include "engine/core/logging.h"
#include "engine/session/session.h"

#include <spdlog/logger.h>

#include <QFileInfo>
#include <QJsonObject>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

namespace prunelab {

void MainWindow::setAutosaveInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_autosaveTimer->stop();
        return;
    }
    m_autosaveTimer->start(milliseconds);
}

bool MainWindow::autosave()
{
    // A job changing the model holds its weights; its result is autosaved on the next tick.
    if (!session() || !m_modified || m_jobs->isChangingModel())
        return false;
    if (!m_recovery->prepare()) {
        logger()->warn("autosave: cannot create {}", m_recovery->root().toStdString());
        return false;
    }
    const QString error = writeProject(
        m_recovery->projectPath(), QJsonObject{{QStringLiteral("recovered_for"), m_projectPath}});
    if (!error.isEmpty()) { // never a modal box every few minutes: the log says it
        logger()->warn("autosave failed: {}", error.toStdString());
        return false;
    }
    logger()->debug("autosaved to {}", m_recovery->projectPath().toStdString());
    return true;
}

void MainWindow::setRecoveryQuestion(std::function<bool(const QDateTime&, const QString&)> question)
{
    m_recoveryQuestion = std::move(question);
}

bool MainWindow::offerRecovery()
{
    const auto orphans = m_recovery->orphans();
    if (orphans.isEmpty())
        return false;
    const RecoveryStore::Orphan& newest = orphans.first();
    for (qsizetype i = 1; i < orphans.size(); ++i) // older crashes: only the newest is offered
        RecoveryStore::remove(orphans[i]);
    if (!m_recoveryQuestion(newest.saved, newest.original)) {
        RecoveryStore::remove(newest);
        logger()->info("discarded the autosave of {}",
                       newest.saved.toString(Qt::ISODate).toStdString());
        return false;
    }
    const QString label = tr("the work autosaved at %1")
                              .arg(QLocale().toString(newest.saved.time(), QLocale::ShortFormat));
    if (!loadProject(newest.project, label)) // the error handler has said why; kept for next time
        return false;
    m_projectPath = newest.original; // Save goes where the work was meant to go
    setModified(true);
    if (autosave()) // now held in this window's own folder
        RecoveryStore::remove(newest);
    logger()->info("recovered the work autosaved at {}",
                   newest.saved.toString(Qt::ISODate).toStdString());
    return true;
}

bool MainWindow::askToRecover(const QDateTime& saved, const QString& original)
{
    QMessageBox box(QMessageBox::Question, tr("Recover Unsaved Work"),
                    tr("PruneLab did not close properly last time. Recover the work it autosaved "
                       "at %1?")
                        .arg(QLocale().toString(saved, QLocale::ShortFormat)),
                    QMessageBox::NoButton, this);
    box.setInformativeText(original.isEmpty() ? tr("The session had not been saved as a project.")
                                              : tr("It belongs to the project %1.").arg(original));
    QPushButton* recover = box.addButton(tr("Recover"), QMessageBox::AcceptRole);
    box.addButton(tr("Discard"), QMessageBox::DestructiveRole);
    box.setDefaultButton(recover);
    box.exec();
    return box.clickedButton() == recover;
}

} // namespace prunelab
