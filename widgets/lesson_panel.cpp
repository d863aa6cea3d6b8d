#include "widgets/lesson_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace prunelab {

LessonPanel::LessonPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("lessonPanel"));
    auto* layout = new QVBoxLayout(this);
    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("lessonCounter"));
    layout->addWidget(m_counter);
    m_body = new QTextBrowser(this);
    m_body->setObjectName(QStringLiteral("lessonBody"));
    layout->addWidget(m_body, 1);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("lessonResult"));
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    m_result->setStyleSheet(
        QStringLiteral("QLabel{background:#eef6ee;border:1px solid #9c9;padding:4px}"));
    m_result->setVisible(false);
    layout->addWidget(m_result);
    m_action = new QPushButton(this);
    m_action->setObjectName(QStringLiteral("lessonAction"));
    layout->addWidget(m_action);
    auto* buttons = new QHBoxLayout;
    m_back = new QPushButton(tr("◀ Back"), this);
    m_next = new QPushButton(tr("Next ▶"), this);
    m_back->setObjectName(QStringLiteral("lessonBack"));
    m_next->setObjectName(QStringLiteral("lessonNext"));
    buttons->addWidget(m_back);
    buttons->addStretch(1);
    buttons->addWidget(m_next);
    layout->addLayout(buttons);
    connect(m_back, &QPushButton::clicked, this, &LessonPanel::back);
    connect(m_next, &QPushButton::clicked, this, &LessonPanel::next);
    connect(m_action, &QPushButton::clicked, this, &LessonPanel::runAction);
}

LessonPanel::~LessonPanel()
{
    unhighlight();
}

void LessonPanel::setSteps(QVector<LessonStep> steps)
{
    m_steps = std::move(steps);
    m_current = -1;
    goTo(0);
}

void LessonPanel::unhighlight()
{
    if (m_highlighted) {
        m_highlighted->setProperty("lessonHighlight", false);
        m_highlighted->setStyleSheet(m_savedStyle);
    }
    m_highlighted = nullptr;
}

void LessonPanel::goTo(int step)
{
    if (m_steps.isEmpty())
        return;
    step = std::clamp(step, 0, int(m_steps.size()) - 1);
    const bool changed = step != m_current;
    m_current = step;
    const LessonStep& s = m_steps[step];
    m_counter->setText(tr("<b>Step %1 of %2</b> · %3")
                           .arg(step + 1)
                           .arg(m_steps.size())
                           .arg(s.title.toHtmlEscaped()));
    m_body->setHtml(s.body);
    m_action->setVisible(!s.actionText.isEmpty());
    m_action->setText(s.actionText);
    m_back->setEnabled(step > 0);
    m_next->setEnabled(step + 1 < m_steps.size());
    if (changed)
        setResult({});
    unhighlight();
    if (QWidget* target = s.highlight ? s.highlight() : nullptr) {
        // An orange frame on the control to use (not on its children: the rule matches the
        // property only it has), visible on a projector, gone on the next step. A plain
        // QWidget draws style-sheet borders only with a styled background.
        m_highlighted = target;
        m_savedStyle = target->styleSheet();
        target->setAttribute(Qt::WA_StyledBackground, true);
        target->setProperty("lessonHighlight", true);
        target->setStyleSheet(m_savedStyle + QStringLiteral("\n*[lessonHighlight=\"true\"]{"
                                                            "border:3px solid #e67e22;"
                                                            "border-radius:4px}"));
    }
    if (changed)
        emit stepChanged(step);
}

void LessonPanel::runAction()
{
    if (m_current >= 0 && m_steps[m_current].action)
        m_steps[m_current].action();
}

void LessonPanel::setResult(const QString& html)
{
    m_result->setText(html);
    m_result->setVisible(!html.isEmpty());
}

QString LessonPanel::resultText() const
{
    return m_result->text();
}

QString LessonPanel::bodyText() const
{
    return m_body->toPlainText();
}

} // namespace prunelab
