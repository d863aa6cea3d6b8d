// MainWindow: its menus and the pruning toolbar (actions, shortcuts, criterion and granularity,
// the global-rate slider and spin box).

#include "app/gui/action_text.h"
#include "app/gui/criterion_help.h"
#include "app/gui/help.h"
#include "app/gui/job_controller.h"
#include "app/gui/layer_rows.h"
#include "app/gui/log_dock.h"
#include "app/gui/main_window.h"
#include "app/gui/session_document.h"
#include "engine/core/logging.h"
#include "engine/session/session.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/compaction_view.h"
#include "widgets/global_ranking_button.h"
#include "widgets/histogram_overview.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"
#include "widgets/pipeline_strip.h"
#include "widgets/training_curve_view.h"
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QWhatsThis>
#include <spdlog/logger.h>

#include <cmath>

namespace prunelab {

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open =
        file->addAction(tr("&Open Model or Project…"), this, &MainWindow::showOpenModelDialog);
    open->setObjectName(QStringLiteral("actionOpenModel"));
    open->setShortcut(QKeySequence::Open);
    QAction* fromBuiltin =
        file->addAction(tr("&New from Built-in…"), this, &MainWindow::showNewFromBuiltinDialog);
    fromBuiltin->setObjectName(QStringLiteral("actionNewFromBuiltin"));
    fromBuiltin->setShortcut(QKeySequence::New);
    QAction* openDefault = file->addAction(tr("Open &Default Model"), this,
                                           [this] { openModel(QStringLiteral("default")); });
    openDefault->setObjectName(QStringLiteral("actionOpenDefault"));
    QAction* openData = file->addAction(tr("Open &Data…"), this, &MainWindow::showOpenDataDialog);
    openData->setObjectName(QStringLiteral("actionOpenData"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    updateRecentMenu();
    file->addSeparator();
    QAction* save = file->addAction(tr("&Save Project"), this, [this] {
        if (m_projectPath.isEmpty()) {
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Save Project"), QStringLiteral("session.prunelab.json"),
                tr("PruneLab projects (*.prunelab.json)"));
            if (!path.isEmpty())
                saveProject(path);
        } else {
            saveProject(m_projectPath);
        }
    });
    save->setObjectName(QStringLiteral("actionSaveProject"));
    save->setShortcut(QKeySequence::Save);
    QAction* saveAs = file->addAction(tr("Save Project &As…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save Project"), QStringLiteral("session.prunelab.json"),
            tr("PruneLab projects (*.prunelab.json)"));
        if (!path.isEmpty())
            saveProject(path);
    });
    saveAs->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    auto addExport = [this, exportMenu](const QString& label, const QString& name,
                                        const QString& suggested, const QString& filter,
                                        const QString& kind) {
        QAction* action =
            exportMenu->addAction(label, this, [this, label, suggested, filter, kind] {
                const QString path =
                    QFileDialog::getSaveFileName(this, plainActionText(label), suggested, filter);
                if (!path.isEmpty())
                    exportAs(kind, path);
            });
        action->setObjectName(name);
        return action;
    };
    addExport(tr("PruneLab &Checkpoint…"), QStringLiteral("actionExportCheckpoint"),
              QStringLiteral("pruned.pt"), tr("PruneLab checkpoints (*.pt)"),
              QStringLiteral("checkpoint"))
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    addExport(tr("PyTorch &state_dict…"), QStringLiteral("actionExportStateDict"),
              QStringLiteral("pruned_state_dict.pt"), tr("PyTorch files (*.pt *.pth)"),
              QStringLiteral("state_dict"));
    addExport(tr("&Masks…"), QStringLiteral("actionExportMasks"), QStringLiteral("masks.pt"),
              tr("PyTorch files (*.pt *.pth)"), QStringLiteral("masks"));
    addExport(tr("&Report (JSON)…"), QStringLiteral("actionExportReport"),
              QStringLiteral("report.json"), tr("JSON (*.json)"), QStringLiteral("report"));
    addExport(tr("Re&cipe (JSON)…"), QStringLiteral("actionExportRecipe"),
              QStringLiteral("recipe.json"), tr("JSON (*.json)"), QStringLiteral("recipe"));
    addExport(tr("&Netron Metrics (JSON)…"), QStringLiteral("actionExportNetron"),
              QStringLiteral("model.attachment.json"), tr("JSON (*.json)"),
              QStringLiteral("netron"));
    addExport(tr("Co&mpacted Model…"), QStringLiteral("actionExportCompacted"),
              QStringLiteral("compacted.pt"), tr("PruneLab checkpoints or TorchScript (*.pt)"),
              QStringLiteral("compacted"));
    addExport(tr("&ONNX (compacted when current)…"), QStringLiteral("actionExportOnnx"),
              QStringLiteral("model.onnx"), tr("ONNX models (*.onnx)"), QStringLiteral("onnx"));
    file->addSeparator();
    // One window per process: closing it (Ctrl+W, as every desktop does) quits, asking to
    // save first like Quit.
    QAction* closeWindow = file->addAction(tr("&Close"), this, &QWidget::close);
    closeWindow->setObjectName(QStringLiteral("actionClose"));
    // Ctrl+W on every platform theme (some bind Close to Ctrl+F4 alone).
    QList<QKeySequence> closeKeys = {QKeySequence(Qt::CTRL | Qt::Key_W)};
    for (const QKeySequence& key : QKeySequence::keyBindings(QKeySequence::Close))
        if (!closeKeys.contains(key))
            closeKeys.append(key);
    closeWindow->setShortcuts(closeKeys);
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("actionUndo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("actionRedo"));
    redo->setShortcuts(redoShortcuts(QKeySequence::keyBindings(QKeySequence::Redo)));
    edit->addAction(undo);
    edit->addAction(redo);
    // After an undo or redo the rate controls show the model's sparsity again.
    for (QAction* step : {undo, redo})
        connect(step, &QAction::triggered, this, &MainWindow::syncGlobalRateControls);
    m_editActions << undo << redo;

    QMenu* prune = menuBar()->addMenu(tr("&Prune"));
    for (QAction* action : findChildren<QAction*>(QString(), Qt::FindDirectChildrenOnly))
        if (action->property("pruneMenu").toBool())
            prune->addAction(action);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    QAction* logY = view->addAction(tr("Histogram: Log &Count Axis"));
    logY->setCheckable(true);
    connect(logY, &QAction::toggled, m_histogram, &ImportanceHistogramView::setLogY);
    QAction* logX = view->addAction(tr("Histogram: Log &Score Axis"));
    logX->setObjectName(QStringLiteral("actionLogScoreAxis"));
    logX->setCheckable(true);
    connect(logX, &QAction::toggled, this, &MainWindow::setLogScoreAxis);
    view->addSeparator();
    QAction* clearCurves = view->addAction(tr("C&lear Curves"));
    clearCurves->setObjectName(QStringLiteral("clearCurvesAction"));
    clearCurves->setToolTip(tr("Remove every sweep, sensitivity and fine-tune series from the "
                               "Curves dock (the dense line stays)"));
    connect(clearCurves, &QAction::triggered, this, [this] {
        const auto baseline = m_curves->baseline();
        m_curves->clear();
        m_curves->setBaseline(baseline);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("&User Guide"), this, [this] {
        std::unique_ptr<QDialog> dialog(
            makeHelpDialog(this, tr("PruneLab User Guide"), userGuideMarkdown(), true));
        m_runDialog(*dialog);
    });
    guide->setObjectName(QStringLiteral("actionUserGuide"));
    guide->setShortcut(QKeySequence::HelpContents);
    QAction* keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        std::unique_ptr<QDialog> dialog(makeHelpDialog(
            this, tr("Keyboard Shortcuts"), shortcutTableHtml(findChildren<QAction*>()), false));
        m_runDialog(*dialog);
    });
    keys->setObjectName(QStringLiteral("actionShortcuts"));
    keys->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    QAction* lesson = help->addAction(tr("&Lesson"), this, &MainWindow::startLesson);
    lesson->setObjectName(QStringLiteral("actionLesson"));
    QAction* presentation = help->addAction(tr("&Presentation Mode"));
    presentation->setObjectName(QStringLiteral("actionPresentation"));
    presentation->setCheckable(true);
    presentation->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    presentation->setToolTip(tr("Larger text and thicker curves, for a projector"));
    connect(presentation, &QAction::toggled, this, &MainWindow::setPresentationMode);
    QAction* whatsThis = QWhatsThis::createAction(this);
    whatsThis->setObjectName(QStringLiteral("actionWhatsThis"));
    help->addAction(whatsThis);
    help->addSeparator();
    help->addAction(tr("&About PruneLab"), this, [this] {
        QMessageBox::about(this, tr("About PruneLab"),
                           tr("<b>PruneLab %1</b><p>An interactive workbench for pruning neural "
                              "networks, on Qt and LibTorch.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::buildToolBar()
{
    QToolBar* bar = addToolBar(tr("Pruning"));
    bar->setObjectName(QStringLiteral("pruningToolBar"));
    bar->addWidget(new QLabel(tr(" Criterion "), bar));
    m_criterion = new QComboBox(bar);
    m_criterion->setObjectName(QStringLiteral("criterionCombo"));
    m_criterion->addItems({QStringLiteral("l1"), QStringLiteral("l2"), QStringLiteral("random"),
                           QStringLiteral("activation"), QStringLiteral("activation-abs"),
                           QStringLiteral("gradient"), QStringLiteral("taylor"),
                           QStringLiteral("wanda")});
    m_criterion->setToolTip(tr("How importance is scored (see the Criterion dock)"));
    bar->addWidget(m_criterion);
    bar->addWidget(new QLabel(tr(" Granularity "), bar));
    m_granularity = new QComboBox(bar);
    m_granularity->setObjectName(QStringLiteral("granularityCombo"));
    m_granularity->addItems({QStringLiteral("weight"), QStringLiteral("neuron"),
                             QStringLiteral("filter"), QStringLiteral("head")});
    bar->addWidget(m_granularity);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Global rate "), bar));
    m_globalSlider = new QSlider(Qt::Horizontal, bar);
    m_globalSlider->setObjectName(QStringLiteral("globalRateSlider"));
    m_globalSlider->setRange(0, 1000);
    m_globalSlider->setToolTip(tr("Prune this share of all scored elements, ranked across layers"));
    bar->addWidget(m_globalSlider);
    m_globalSpin = new QDoubleSpinBox(bar);
    m_globalSpin->setObjectName(QStringLiteral("globalRateSpin"));
    m_globalSpin->setRange(0.0, 100.0);
    m_globalSpin->setDecimals(1);
    m_globalSpin->setSuffix(QStringLiteral(" %"));
    bar->addWidget(m_globalSpin);
    m_ranking = new GlobalRankingButton(bar);
    m_ranking->setObjectName(QStringLiteral("globalRankingButton"));
    bar->addWidget(m_ranking);
    m_globalSlider->setMinimumWidth(260);
    // The jobs get their own row: one row for both would overflow a 1360-pixel window.
    addToolBarBreak();
    bar = addToolBar(tr("Actions"));
    bar->setObjectName(QStringLiteral("actionsToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);

    connect(m_criterion, &QComboBox::currentTextChanged, this, &MainWindow::rescore);
    connect(m_granularity, &QComboBox::currentTextChanged, this, &MainWindow::rescore);
    connect(m_globalSlider, &QSlider::valueChanged, this, [this](int value) {
        onGlobalRateChanged(value / 1000.0, m_globalSlider->isSliderDown());
    });
    connect(m_globalSlider, &QSlider::sliderReleased, this, [this] {
        m_document->closeMerging();
        noteAfter();
    });
    connect(m_ranking, &GlobalRankingButton::rankingChanged, this,
            &MainWindow::onGlobalRankingChanged);
    connect(m_globalSpin, &QDoubleSpinBox::editingFinished, this, [this] {
        // editingFinished also comes when focus merely leaves the box: only a value that differs
        // from the shown rate (the slider, kept in step with it) is an edit.
        if (std::lround(m_globalSpin->value() * 10.0) != m_globalSlider->value())
            onGlobalRateChanged(m_globalSpin->value() / 100.0, false);
    });

    auto action = [this, bar](const QString& text, const QString& name, const QKeySequence& key,
                              const QString& tip, auto slot, bool editing) {
        QAction* a = new QAction(text, this);
        a->setObjectName(name);
        a->setShortcut(key);
        a->setToolTip(tip +
                      (key.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(key.toString())));
        a->setProperty("pruneMenu", true);
        connect(a, &QAction::triggered, this, slot);
        bar->addAction(a);
        if (editing)
            m_editActions << a;
        return a;
    };
    action(tr("Train…"), QStringLiteral("actionTrain"),
           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
           tr("Train the dense model (a built-in opens untrained)"), &MainWindow::showTrainDialog,
           true);
    action(tr("Score"), QStringLiteral("actionScore"), QKeySequence(Qt::Key_F5),
           tr("Score the base weights again with the chosen criterion"), &MainWindow::rescore,
           true);
    action(tr("Apply"), QStringLiteral("actionApply"), QKeySequence(Qt::CTRL | Qt::Key_Return),
           tr("Make the shown masks permanent (the next scoring starts from the pruned model)"),
           &MainWindow::applyMasks, true);
    action(tr("Fine-tune…"), QStringLiteral("actionFineTune"), QKeySequence(Qt::CTRL | Qt::Key_T),
           tr("Train the pruned model with its masks held"), &MainWindow::showFineTuneDialog, true);
    action(tr("Iterate…"), QStringLiteral("actionIterate"), QKeySequence(Qt::CTRL | Qt::Key_I),
           tr("Prune to a target in steps, fine-tuning after each"), &MainWindow::showIterateDialog,
           true);
    action(tr("Distil…"), QStringLiteral("actionDistill"), QKeySequence(Qt::CTRL | Qt::Key_D),
           tr("Knowledge distillation from the dense model into a pruned copy or a smaller model"),
           &MainWindow::showDistillDialog, true);
    action(tr("Sweep…"), QStringLiteral("actionSweep"), QKeySequence(Qt::CTRL | Qt::Key_G),
           tr("Accuracy against sparsity for one or more criteria"), &MainWindow::showSweepDialog,
           true);
    action(
        tr("Sensitivity"), QStringLiteral("actionSensitivity"), QKeySequence(Qt::CTRL | Qt::Key_L),
        tr("Prune each layer alone at 10–90% and plot its accuracy"),
        [this] { startSensitivity(); }, true);
    m_autoAllocateAction = new QAction(tr("Allocate by Sensitivity"), this);
    m_autoAllocateAction->setObjectName(QStringLiteral("actionAutoAllocate"));
    m_autoAllocateAction->setCheckable(true);
    m_autoAllocateAction->setEnabled(false);
    m_autoAllocateAction->setProperty("pruneMenu", true);
    m_autoAllocateAction->setToolTip(
        tr("The global rate prunes insensitive layers harder (run Sensitivity first)"));
    connect(m_autoAllocateAction, &QAction::toggled, this, [this](bool on) {
        if (session())
            session()->set_auto_allocation(on);
    });
    bar->addAction(m_autoAllocateAction);
    action(
        tr("Compact"), QStringLiteral("actionCompact"), QKeySequence(Qt::CTRL | Qt::Key_K),
        tr("Remove pruned filters and neurons for real and time dense, masked and compacted "
           "models"),
        [this] { startCompact(); }, true);
    action(
        tr("Evaluate"), QStringLiteral("actionEvaluate"), QKeySequence(Qt::CTRL | Qt::Key_E),
        tr("Measure the accuracy of the model as shown on the validation split"),
        [this] { startEvaluate(); }, false);
    m_stopAction = action(tr("Stop"), QStringLiteral("actionStop"), QKeySequence(Qt::Key_Escape),
                          tr("Stop the running job"), &MainWindow::stopJob, false);
    m_stopAction->setEnabled(false);
    action(tr("Reset to Dense"), QStringLiteral("actionReset"), QKeySequence(Qt::CTRL | Qt::Key_R),
           tr("Back to the weights as opened: no masks, no thresholds"), &MainWindow::resetToDense,
           true);
}

} // namespace prunelab
