#pragma once

#include <QListWidget>
#include <QString>
#include <QStringList>

namespace prunelab {

/// The Curves dock's runs (a sweep, a sensitivity analysis, a fine-tune, ...), one row each:
/// the check box shows or hides the run's curves, double-click renames it, Delete (or the
/// context menu) removes it. Plain data in, requests out: the curve view owns the runs.
class RunList : public QListWidget
{
    Q_OBJECT
public:
    explicit RunList(QWidget* parent = nullptr);

    /// Shows these runs (in order) with their visibility, without emitting anything.
    void setRuns(const QStringList& runs, const QStringList& hidden);
    QStringList runs() const;

signals:
    void visibilityToggled(const QString& run, bool visible);
    void renameRequested(const QString& run, const QString& name);
    void removeRequested(const QString& run);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void onItemChanged(QListWidgetItem* item);

    bool m_filling = false; ///< setRuns is filling the list: no signals
};

} // namespace prunelab
