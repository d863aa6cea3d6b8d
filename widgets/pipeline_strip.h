#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;

namespace prunelab {

/// The stages a session goes through (Train → Prune → Fine-tune → Small model), each drawn as
/// done, current or ahead, so a class can see where the work stands.
class PipelineStrip : public QWidget
{
    Q_OBJECT
public:
    explicit PipelineStrip(QStringList stages, QWidget* parent = nullptr);
    /// Stages before `index` are done, `index` is current (-1: none yet).
    void setCurrent(int index);
    int current() const { return m_current; }
    QString stageText(int index) const;

private:
    void restyle();

    QStringList m_stages;
    QList<QLabel*> m_labels;
    int m_current = -1;
};

} // namespace prunelab
