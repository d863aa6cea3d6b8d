#pragma once

#include <QPointer>
#include <QString>
#include <QVector>
#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace prunelab {

/// One step of a lesson: a short text with its formula, the control to use (highlighted while
/// the step is shown) and an optional action that does the step for the class.
struct LessonStep
{
    QString title;
    QString body;                        ///< HTML
    QString actionText;                  ///< the button's text; empty: no button
    std::function<void()> action;        ///< what the button does
    std::function<QWidget*()> highlight; ///< the control to use now (null: none)
};

/// Help ▸ Lesson: walks through steps one at a time (Back / Next), highlights the control each
/// step is about, and shows the result the app reports for the step ("accuracy fell 26 pp").
/// The steps and what they do are the app's; this panel only presents them.
class LessonPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LessonPanel(QWidget* parent = nullptr);
    ~LessonPanel() override;

    void setSteps(QVector<LessonStep> steps);
    int stepCount() const { return int(m_steps.size()); }
    int currentStep() const { return m_current; }
    void goTo(int step);
    void next() { goTo(m_current + 1); }
    void back() { goTo(m_current - 1); }
    /// Runs the current step's action (the "do it" button).
    void runAction();
    /// Explains what the current step's action produced (HTML; empty clears it).
    void setResult(const QString& html);
    QString resultText() const;
    QString bodyText() const;
    /// The widget highlighted now, if any.
    QWidget* highlighted() const { return m_highlighted; }

signals:
    void stepChanged(int step);

private:
    void unhighlight();

    QVector<LessonStep> m_steps;
    int m_current = -1;
    QLabel* m_counter = nullptr;
    QTextBrowser* m_body = nullptr;
    QLabel* m_result = nullptr;
    QPushButton* m_action = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_next = nullptr;
    QPointer<QWidget> m_highlighted;
    QString m_savedStyle; ///< the highlighted widget's own style sheet, put back afterwards
};

} // namespace prunelab
