// Help ▸ Lesson: the seed article's method on the default model, one step at a time — train,
// score (|w|, row norms, mean activation, gradient), prune with a threshold θ, fine-tune,
// repeat, distil — each step's text with its formula, the control to use highlighted, a button
// that does the step, and its result explained when it arrives.

#include "app/gui/action_text.h"
#include "app/gui/job_controller.h"
#include "app/gui/main_window.h"
#include "engine/session/session.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/lesson_panel.h"
#include "widgets/pipeline_strip.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QSlider>
#include <QToolBar>

namespace prunelab {
namespace {

QString formula(const QString& html)
{
    return QStringLiteral("<p align=center style='font-size:large'><i>%1</i></p>").arg(html);
}

} // namespace

QWidget* MainWindow::actionWidget(const QString& actionName) const
{
    auto* action = findChild<QAction*>(actionName);
    if (!action)
        return nullptr;
    for (auto* bar : findChildren<QToolBar*>())
        if (QWidget* widget = bar->widgetForAction(action))
            return widget;
    return nullptr;
}

void MainWindow::setLessonRate(double rate)
{
    // Weights by |w|: the lesson's threshold step works on single weights.
    const QSignalBlocker blockGranularity(m_granularity);
    const QSignalBlocker blockCriterion(m_criterion);
    const bool rescoreNeeded = m_granularity->currentText() != QLatin1String("weight") ||
                               m_criterion->currentText() != QLatin1String("l1");
    m_granularity->setCurrentText(QStringLiteral("weight"));
    m_criterion->setCurrentText(QStringLiteral("l1"));
    if (rescoreNeeded)
        rescore();
    onGlobalRateChanged(rate, false);
    if (!m_jobs->isBusy())
        startEvaluate();
}

void MainWindow::startLesson()
{
    if (!m_lesson) {
        m_lesson = new LessonPanel(this);
        m_lessonDock = new QDockWidget(tr("Lesson"), this);
        m_lessonDock->setObjectName(QStringLiteral("lessonDock"));
        m_lessonDock->setWidget(m_lesson);
        m_lessonDock->setWhatsThis(tr("<b>Lesson</b>: the pruning method step by step, for a "
                                      "class: read, press the step's button, watch the result."));
        addDockWidget(Qt::LeftDockWidgetArea, m_lessonDock);
        m_lessonDock->setMinimumWidth(320);
    }
    m_lessonPruned.reset();
    const auto pick = [this](const QString& criterion, const QString& granularity) {
        m_granularity->setCurrentText(granularity); // each change rescores
        m_criterion->setCurrentText(criterion);
    };
    QVector<LessonStep> steps;
    steps.append(
        {tr("A trained network"),
         tr("<p>We start from a small convolutional network trained on Fashion-MNIST (28×28 "
            "pictures of clothes, 10 classes). Training fitted its weights <i>W</i> by "
            "gradient descent on the cross-entropy loss:</p>") +
             formula(QStringLiteral("W ← W − η ∇<sub>W</sub> L(W)")) +
             tr("<p>The pipeline strip at the top shows where we are: Train is done. Pruning "
                "asks which of its 21,840 parameters it can do without.</p>"),
         tr("Open the trained default model"),
         [this] {
             openModel(QStringLiteral("default"));
             if (session() && session()->accuracy())
                 m_lesson->setResult(tr("Opened: test accuracy <b>%1</b> with every weight.")
                                         .arg(percentText(*session()->accuracy(), 2)));
         },
         [this] { return static_cast<QWidget*>(m_pipeline); }});
    steps.append(
        {tr("Score: the size of a weight"),
         tr("<p>The simplest importance score of a weight is its magnitude: a small weight "
            "changes the output little, so it goes first.</p>") +
             formula(QStringLiteral("s<sub>ij</sub> = |w<sub>ij</sub>|")) +
             tr("<p>The histogram on the right shows every score of the selected layer. Most "
                "weights are small.</p>"),
         tr("Score every weight by |w|"), [this, pick] { pick("l1", "weight"); },
         [this] { return static_cast<QWidget*>(m_criterion); }});
    steps.append(
        {tr("Score: whole neurons and filters"),
         tr("<p>Removing single weights leaves the layers as large as before. Removing a whole "
            "neuron (a row of a Linear layer) or filter (of a convolution) makes the network "
            "smaller and faster. Its score is the norm of its row:</p>") +
             formula(QStringLiteral("s<sub>i</sub> = ‖W<sub>i,·</sub>‖<sub>1</sub> = Σ<sub>j</sub> "
                                    "|w<sub>ij</sub>|")),
         tr("Score filters by their l1 norm"), [this, pick] { pick("l1", "filter"); },
         [this] { return static_cast<QWidget*>(m_granularity); }});
    steps.append(
        {tr("Score with data: activations and gradients"),
         tr("<p>A weight can be large and still matter little, if its input is nearly always "
            "zero. Scores that look at data: the mean activation of a neuron over a batch, or "
            "how much the loss would change without it (first-order Taylor):</p>") +
             formula(QStringLiteral("a<sub>i</sub> = E[ |h<sub>i</sub>| ] &nbsp;&nbsp; "
                                    "t<sub>i</sub> = | ∂L/∂h<sub>i</sub> · h<sub>i</sub> |")) +
             tr("<p>These run the network on calibration batches, so they take a moment.</p>"),
         tr("Score neurons by mean |activation|"),
         [this, pick] { pick("activation-abs", "neuron"); },
         [this] { return static_cast<QWidget*>(m_criterion); }});
    steps.append(
        {tr("Prune with a threshold θ"),
         tr("<p>Pruning keeps a mask <i>M</i>: every weight whose score is at or below a "
            "threshold θ is set to zero, and stays zero.</p>") +
             formula(
                 QStringLiteral("m<sub>ij</sub> = [ s<sub>ij</sub> &gt; θ ], &nbsp; W ← W ⊙ M")) +
             tr("<p>Drag the red line in the histogram (one layer), or the global rate (all "
                "layers ranked together). The button prunes 80% of the weights by |w| "
                "at once — one-shot.</p>"),
         tr("Prune 80% of the weights, one-shot"), [this] { setLessonRate(0.8); },
         [this] { return static_cast<QWidget*>(m_globalSlider); }});
    steps.append(
        {tr("Fine-tune"),
         tr("<p>The pruned network has lost accuracy. Training it again for a little while, "
            "with the mask held so pruned weights stay zero, lets the remaining weights take "
            "over:</p>") +
             formula(QStringLiteral("W ← (W − η ∇<sub>W</sub> L) ⊙ M")),
         tr("Fine-tune for one epoch"),
         [this] {
             FineTuneSettings settings;
             settings.epochs = 1;
             startFineTune(settings);
         },
         [this] { return actionWidget(QStringLiteral("actionFineTune")); }});
    steps.append(
        {tr("Repeat: prune a little, fine-tune, again"),
         tr("<p>Pruning in several small steps, fine-tuning after each, reaches higher "
            "sparsity than one big cut. A common schedule (AGP) prunes fast first and slowly "
            "at the end, from s<sub>0</sub> to the target s<sub>f</sub> in n steps:</p>") +
             formula(QStringLiteral("s<sub>t</sub> = s<sub>f</sub> + (s<sub>0</sub> − "
                                    "s<sub>f</sub>)(1 − t/n)<sup>3</sup>")),
         tr("Iterate to 90% in 3 steps"),
         [this] {
             IterateSettings settings;
             settings.target = 0.9;
             settings.steps = 3;
             settings.finetune_epochs = 1;
             startIterate(settings);
         },
         [this] { return actionWidget(QStringLiteral("actionIterate")); }});
    steps.append(
        {tr("Distil"),
         tr("<p>The dense network can teach the pruned one: besides the labels, the student "
            "learns to match the teacher's softened outputs (temperature T):</p>") +
             formula(QStringLiteral("L = α T² KL(p<sub>T</sub><sup>teacher</sup> ‖ "
                                    "p<sub>T</sub><sup>student</sup>) + (1 − α) CE(y, "
                                    "p<sup>student</sup>)")),
         tr("Distil into the pruned model for one epoch"),
         [this] {
             DistillSettings settings;
             settings.epochs = 1;
             startDistill(settings);
         },
         [this] { return actionWidget(QStringLiteral("actionDistill")); }});
    steps.append(
        {tr("What you did"),
         tr("<p>Scored the weights, pruned those below a threshold, and recovered the accuracy "
            "by fine-tuning, step by step and with a teacher. The Curves dock keeps every run; "
            "Compact (Ctrl+K) removes pruned filters for real and times the smaller model.</p>"),
         {},
         {},
         [this] { return static_cast<QWidget*>(m_curves); }});
    m_lesson->setSteps(steps);
    m_lessonDock->show();
    m_lessonDock->raise();
}

void MainWindow::setPresentationMode(bool on)
{
    if (!m_normalFont)
        m_normalFont = QApplication::font();
    QFont font = *m_normalFont;
    if (on)
        font.setPointSizeF(font.pointSizeF() * 1.6);
    QApplication::setFont(font);
    m_curves->setPresentation(on);
    if (auto* action = findChild<QAction*>(QStringLiteral("actionPresentation"));
        action && action->isChecked() != on) {
        const QSignalBlocker block(action);
        action->setChecked(on);
    }
}

void MainWindow::updateLessonResult(JobKind kind, bool cancelled)
{
    if (!m_lesson || m_lessonDock->isHidden() || cancelled || !session())
        return;
    const auto accuracy = session()->accuracy();
    if (!accuracy)
        return;
    const double sparsity = session()->info().sparsity();
    // The dense line of the Curves: the model as opened (recorded, or its first measurement).
    const auto denseAccuracy = m_curves->baseline();
    const QString dense = denseAccuracy ? percentText(*denseAccuracy, 2) : tr("?");
    if (kind == JobKind::Score || kind == JobKind::Sweep || kind == JobKind::Sensitivity ||
        kind == JobKind::Compact)
        return;
    // By step, not by job: a fine-tune's accuracy may come from the evaluation after it.
    switch (m_lesson->currentStep()) {
    case 4:
        if (sparsity > 0.0) {
            m_lessonPruned = accuracy;
            const double drop = denseAccuracy ? (*denseAccuracy - *accuracy) * 100.0 : 0.0;
            m_lesson->setResult(tr("Accuracy fell <b>%1 pp</b> at %2 one-shot: %3 → %4.")
                                    .arg(drop, 0, 'f', 1)
                                    .arg(percentText(sparsity), dense, percentText(*accuracy, 2)));
        }
        break;
    case 5:
        m_lesson->setResult(tr("Fine-tuning recovers it to <b>%1</b> (%2 right after pruning, "
                               "%3 dense).")
                                .arg(percentText(*accuracy, 2),
                                     m_lessonPruned ? percentText(*m_lessonPruned, 2) : tr("?"),
                                     dense));
        break;
    case 6:
        m_lesson->setResult(tr("In steps to <b>%1</b> sparsity: accuracy %2 (dense %3).")
                                .arg(percentText(sparsity), percentText(*accuracy, 2), dense));
        break;
    case 7:
        m_lesson->setResult(tr("With the teacher: accuracy <b>%1</b> at %2 sparsity.")
                                .arg(percentText(*accuracy, 2), percentText(sparsity)));
        break;
    default:
        break;
    }
}

} // namespace prunelab
