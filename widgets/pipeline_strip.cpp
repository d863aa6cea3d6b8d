#include "widgets/pipeline_strip.h"

#include <QHBoxLayout>
#include <QLabel>

namespace prunelab {

PipelineStrip::PipelineStrip(QStringList stages, QWidget* parent)
    : QWidget(parent), m_stages(std::move(stages))
{
    setObjectName(QStringLiteral("pipelineStrip"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->setSpacing(4);
    for (int i = 0; i < m_stages.size(); ++i) {
        if (i > 0)
            layout->addWidget(new QLabel(QStringLiteral("→"), this));
        auto* label = new QLabel(this);
        label->setObjectName(QStringLiteral("pipelineStage%1").arg(i));
        label->setAlignment(Qt::AlignCenter);
        label->setMargin(3);
        m_labels.append(label);
        layout->addWidget(label);
    }
    restyle();
}

void PipelineStrip::setCurrent(int index)
{
    m_current = index;
    restyle();
}

void PipelineStrip::setWarning(int index, const QString& text)
{
    if (m_warnings.value(index) == text)
        return;
    if (text.isEmpty())
        m_warnings.remove(index);
    else
        m_warnings[index] = text;
    restyle();
}

QString PipelineStrip::stageText(int index) const
{
    return m_labels.value(index) ? m_labels[index]->text() : QString();
}

void PipelineStrip::restyle()
{
    for (int i = 0; i < m_labels.size(); ++i) {
        const bool done = i < m_current;
        const bool current = i == m_current;
        const QString warning = m_warnings.value(i);
        const QString mark = !warning.isEmpty() ? QStringLiteral("⚠ ")
                             : done             ? QStringLiteral("✓ ")
                                                : QString();
        m_labels[i]->setText(mark + m_stages[i]);
        m_labels[i]->setStyleSheet(
            !warning.isEmpty()
                ? QStringLiteral("QLabel{background:#fce8b2;color:#7a4a00;border:1px solid "
                                 "#e0a800;border-radius:4px;font-weight:bold}")
            : current
                ? QStringLiteral(
                      "QLabel{background:#1f77b4;color:white;border-radius:4px;font-weight:bold}")
            : done ? QStringLiteral("QLabel{background:#d5e8d4;color:#225522;border-radius:4px}")
                   : QStringLiteral("QLabel{color:#777;border:1px solid #bbb;border-radius:4px}"));
        m_labels[i]->setToolTip(!warning.isEmpty() ? warning
                                : current          ? tr("The session is here")
                                : done             ? tr("Done")
                                                   : tr("Ahead"));
    }
}

} // namespace prunelab
