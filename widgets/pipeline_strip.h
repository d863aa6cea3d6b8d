#pragma once

#include <QMap>
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
    /// Marks a stage with a warning sign and `text` as its tooltip (empty clears it): a
    /// "Small model" whose accuracy fell below the floor is not simply done.
    void setWarning(int index, const QString& text);
    QString warning(int index) const { return m_warnings.value(index); }

private:
    void restyle();

    QStringList m_stages;
    QList<QLabel*> m_labels;
    QMap<int, QString> m_warnings;
    int m_current = -1;
};

} // namespace prunelab
