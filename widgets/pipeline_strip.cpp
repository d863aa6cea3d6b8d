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

QString PipelineStrip::stageText(int index) const
{
    return m_labels.value(index) ? m_labels[index]->text() : QString();
}

void PipelineStrip::restyle()
{
    for (int i = 0; i < m_labels.size(); ++i) {
        const bool done = i < m_current;
        const bool current = i == m_current;
        m_labels[i]->setText((done ? QStringLiteral("✓ ") : QString()) + m_stages[i]);
        m_labels[i]->setStyleSheet(
            current
                ? QStringLiteral(
                      "QLabel{background:#1f77b4;color:white;border-radius:4px;font-weight:bold}")
            : done ? QStringLiteral("QLabel{background:#d5e8d4;color:#225522;border-radius:4px}")
                   : QStringLiteral("QLabel{color:#777;border:1px solid #bbb;border-radius:4px}"));
        m_labels[i]->setToolTip(current ? tr("The session is here")
                                : done  ? tr("Done")
                                        : tr("Ahead"));
    }
}

} // namespace prunelab
