#include "app/gui/main_window.h"
#include "app/gui/recovery_store.h"

#include "app/gui/action_text.h"
#include "app/gui/builtin_dialog.h"
#include "app/gui/criterion_help.h"
#include "app/gui/data_dialog.h"
#include "app/gui/help.h"
#include "app/gui/job_controller.h"
#include "app/gui/layer_rows.h"
#include "app/gui/log_dock.h"
#include "app/gui/session_document.h"
#include "engine/core/error.h"
#include "engine/core/input_shapes.h"
#include "engine/core/logging.h"
#include "engine/session/session.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/compaction_view.h"
#include "widgets/global_ranking_button.h"
#include "widgets/head_grid.h"
#include "widgets/histogram_overview.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"
#include "widgets/pipeline_strip.h"
#include "widgets/training_curve_view.h"

#include <spdlog/logger.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
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

// The icon and the user guide are compiled into the static prunelab_app library, where nothing
// references them: the linker would drop them unless they are asked for (outside any namespace,
// as Q_INIT_RESOURCE requires).
static void initResources()
{
    Q_INIT_RESOURCE(prunelab);
}

namespace prunelab {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    initResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("PruneLab"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/prunelab.svg")));
    setAcceptDrops(true);
    setDockNestingEnabled(true);

    m_layerModel = new LayerTableModel(this);
    m_layerTable = new QTableView(this);
    m_layerTable->setObjectName(QStringLiteral("layerTable"));
    m_layerTable->setModel(m_layerModel);
    m_layerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layerTable->setEditTriggers(QAbstractItemView::DoubleClicked |
                                  QAbstractItemView::EditKeyPressed |
                                  QAbstractItemView::AnyKeyPressed);
    m_layerTable->setAlternatingRowColors(true);
    m_layerTable->verticalHeader()->hide();
    m_layerTable->horizontalHeader()->setSectionResizeMode(LayerTableModel::NameColumn,
                                                           QHeaderView::Stretch);
    connect(m_layerModel, &LayerTableModel::rateEdited, this, &MainWindow::onRateEdited);
    connect(m_layerModel, &LayerTableModel::lockedToggled, this, &MainWindow::onLockedToggled);
    connect(m_layerModel, &LayerTableModel::excludedToggled, this, &MainWindow::onExcludedToggled);

    m_pipeline =
        new PipelineStrip({tr("Train"), tr("Prune"), tr("Fine-tune"), tr("Small model")}, this);
    m_changeNote = new QLabel(tr("Drag a threshold in the Importance dock or move the global rate "
                                 "to start pruning."),
                              this);
    m_changeNote->setObjectName(QStringLiteral("changeNote"));
    m_changeNote->setWordWrap(true);
    m_changeNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_pipeline);
    layout->addWidget(m_layerTable, 1);
    layout->addWidget(m_changeNote);
    setCentralWidget(central);

    m_document = new SessionDocument(this);
    connect(undoStack(), &QUndoStack::indexChanged, this, [this] { setModified(true); });
    connect(m_document, &SessionDocument::thresholdsChanged, this, &MainWindow::refreshAfterEdit);
    connect(m_document, &SessionDocument::scoresChanged, this, &MainWindow::onScoresChanged);
    connect(m_document, &SessionDocument::jobFinished, this, &MainWindow::onJobFinished);
    connect(m_document, &SessionDocument::modelChanged, this, &MainWindow::onModelChanged);
    connect(m_document, &SessionDocument::failed, this,
            [this](const QString& message) { m_errorHandler(message); });

    m_jobs = new JobController(this);
    connect(m_jobs, &JobController::started, this, &MainWindow::onJobStarted);
    connect(m_jobs, &JobController::jobEvent, this, &MainWindow::onJobEvent);
    connect(m_jobs, &JobController::ran, this, &MainWindow::onJobRan);
    m_evaluateTimer = new QTimer(this);
    m_evaluateTimer->setSingleShot(true);
    m_evaluateTimer->setInterval(400);
    connect(m_evaluateTimer, &QTimer::timeout, this, [this] { startEvaluate(); });
    m_recovery = std::make_unique<RecoveryStore>();
    m_autosaveTimer = new QTimer(this);
    connect(m_autosaveTimer, &QTimer::timeout, this, [this] { autosave(); });
    // QSettings autosave/seconds changes the interval (0: off).
    setAutosaveInterval(QSettings()
                            .value(QStringLiteral("autosave/seconds"), kAutosaveMilliseconds / 1000)
                            .toInt() *
                        1000);
    m_recoveryQuestion = [this](const QDateTime& saved, const QString& original) {
        return askToRecover(saved, original);
    };
    m_outsidePathsQuestion = [this](const QString& project, const QStringList& files) {
        return askToOpenOutside(project, files);
    };

    m_errorHandler = [this](const QString& message) { showErrorBox(this, message); };
    m_inputShapeQuestion = [this](const QString& model) {
        return QInputDialog::getText(
            this, tr("Input Shape"),
            tr("%1 does not say what one input sample looks like.\nIts shape, without the batch "
               "dimension (1,28,28 for Fashion-MNIST images, 64 for 64 features;\nseveral "
               "inputs separated by ';', like 3,16,16;8):")
                .arg(QFileInfo(model).fileName()),
            QLineEdit::Normal, QStringLiteral("1,28,28"));
    };
    m_runDialog = [this](QDialog& dialog) {
        // Offscreen (tests, the screenshot tour) a modal dialog would wait for nobody.
        return isVisible() && dialog.exec() == QDialog::Accepted;
    };
    m_resetQuestion = [this] {
        return QMessageBox::question(
                   this, tr("Reset to Dense"),
                   tr("Reset to Dense goes back to the weights as opened and discards the "
                      "fine-tuned weights; this cannot be undone. Reset?"),
                   QMessageBox::Reset | QMessageBox::Cancel,
                   QMessageBox::Cancel) == QMessageBox::Reset;
    };
    m_closeQuestion = [this] {
        return QMessageBox::question(
            this, tr("PruneLab"), tr("The session has unsaved changes. Save them as a project?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    };
    buildDocks();
    buildToolBar();
    buildMenus();
    buildStatusBar();

    QSettings settings;
    if (!settings.contains(QStringLiteral("mainWindow/geometry")))
        resize(1360, 820);
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
}

MainWindow::~MainWindow()
{
    // The worker must stop before the session it reads from goes.
    delete m_jobs;
    m_jobs = nullptr;
    m_recovery->discard();         // a clean end: a crash never gets here, and keeps its autosave
    undoStack()->disconnect(this); // clearing the stack while children die must not call back
}

Session* MainWindow::session() const
{
    return m_document->session();
}

QUndoStack* MainWindow::undoStack() const
{
    return m_document->undoStack();
}

bool MainWindow::guarded(const std::function<void()>& action, const QString& context)
{
    try {
        action();
        return true;
    } catch (const std::exception& e) {
        QString message = QString::fromStdString(readable_message(e));
        if (!context.isEmpty())
            message = tr("%1: %2").arg(context, message);
        logger()->warn("{}", message.toStdString());
        m_errorHandler(message);
        return false;
    }
}

void MainWindow::buildDocks()
{
    auto dock = [this](const QString& title, const QString& name, QWidget* widget,
                       Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        d->setWhatsThis(dockWhatsThis(name));
        addDockWidget(area, d);
        return d;
    };
    m_histogram = new ImportanceHistogramView(this);
    m_overview = new HistogramOverview(this);
    auto* overviewScroll = new QScrollArea(this);
    overviewScroll->setWidget(m_overview);
    overviewScroll->setWidgetResizable(true);
    overviewScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_histogram);
    split->addWidget(overviewScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* importance =
        dock(tr("Importance"), QStringLiteral("importanceDock"), split, Qt::RightDockWidgetArea);
    connect(m_overview, &HistogramOverview::layerClicked, this, &MainWindow::selectLayer);
    connect(m_histogram, &ImportanceHistogramView::thresholdDragged, this,
            &MainWindow::onThresholdDragged);
    connect(m_histogram, &ImportanceHistogramView::thresholdDragFinished, this,
            &MainWindow::onThresholdDragFinished);
    connect(m_layerTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showHistogram(current.row()); });

    m_curves = new AccuracyCurveView(this);
    m_curves->setFloorDrop(kAccuracyFloorDrop);
    auto* curves =
        dock(tr("Curves"), QStringLiteral("curvesDock"), m_curves, Qt::BottomDockWidgetArea);
    m_training = new TrainingCurveView(this);
    auto* training =
        dock(tr("Training"), QStringLiteral("trainingDock"), m_training, Qt::BottomDockWidgetArea);
    splitDockWidget(curves, training, Qt::Horizontal);
    m_compaction = new CompactionView(this);
    m_compactionDock = dock(tr("Compaction"), QStringLiteral("compactionDock"), m_compaction,
                            Qt::BottomDockWidgetArea);
    tabifyDockWidget(training, m_compactionDock);
    m_heads = new HeadGrid(this);
    auto* headsScroll = new QScrollArea(this);
    headsScroll->setWidget(m_heads);
    headsScroll->setWidgetResizable(true);
    auto* heads =
        dock(tr("Heads"), QStringLiteral("headsDock"), headsScroll, Qt::RightDockWidgetArea);
    tabifyDockWidget(importance, heads);
    importance->raise();
    connect(m_heads, &HeadGrid::cutRequested, this,
            [this](const QString& layer, double threshold, bool) { onHeadCut(layer, threshold); });
    connect(m_heads, &HeadGrid::dragFinished, this, &MainWindow::onThresholdDragFinished);
    training->raise();
    connect(m_compaction, &CompactionView::saveRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save Compacted Model"), QStringLiteral("compacted.pt"),
            tr("PruneLab checkpoints or TorchScript (*.pt)"));
        if (!path.isEmpty())
            exportAs(QStringLiteral("compacted"), path);
    });

    m_criterionHelp = new QTextBrowser(this);
    m_criterionHelp->setObjectName(QStringLiteral("criterionHelp"));
    m_criterionHelp->setOpenExternalLinks(false);
    auto* help = dock(tr("Criterion"), QStringLiteral("criterionDock"), m_criterionHelp,
                      Qt::RightDockWidgetArea);
    auto* log = new LogDock(this);
    log->setWhatsThis(dockWhatsThis(log->objectName()));
    addDockWidget(Qt::RightDockWidgetArea, log);
    tabifyDockWidget(help, log);
    help->raise();
    // Plots along the bottom get the width they need; the right column is about one layer.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({importance, help}, {520, 200}, Qt::Vertical);
    resizeDocks({importance}, {540}, Qt::Horizontal);
    resizeDocks({curves}, {330}, Qt::Vertical);
    resizeDocks({curves, training}, {430, 390}, Qt::Horizontal);
}

void MainWindow::buildStatusBar()
{
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("modelStatus"));
    statusBar()->addWidget(m_statusLabel, 1);
    m_jobLabel = new QLabel(this);
    m_jobLabel->setObjectName(QStringLiteral("jobLabel"));
    statusBar()->addPermanentWidget(m_jobLabel);
    m_jobProgress = new QProgressBar(this);
    m_jobProgress->setObjectName(QStringLiteral("jobProgress"));
    m_jobProgress->setRange(0, 1000);
    m_jobProgress->setMaximumWidth(200);
    m_jobProgress->setVisible(false);
    statusBar()->addPermanentWidget(m_jobProgress);
    m_stopButton = new QToolButton(this);
    m_stopButton->setDefaultAction(m_stopAction);
    m_stopButton->setVisible(false);
    statusBar()->addPermanentWidget(m_stopButton);
}

void MainWindow::setErrorHandler(std::function<void(const QString&)> handler)
{
    m_errorHandler = std::move(handler);
}

void MainWindow::setInputShapeQuestion(std::function<QString(const QString&)> question)
{
    m_inputShapeQuestion = std::move(question);
}

void MainWindow::setResetQuestion(std::function<bool()> question)
{
    m_resetQuestion = std::move(question);
}

void MainWindow::setCloseQuestion(std::function<int()> question)
{
    m_closeQuestion = std::move(question);
}

void MainWindow::setAutoEvaluate(bool on)
{
    m_autoEvaluate = on;
    if (!on)
        m_evaluateTimer->stop();
}

void MainWindow::showOpenModelDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model or Project"), QString(),
        tr("Models and projects (*.pt *.pth *.prunelab.json);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::setDialogRunner(std::function<bool(QDialog&)> runner)
{
    m_runDialog = std::move(runner);
}

void MainWindow::showNewFromBuiltinDialog()
{
    BuiltinModelDialog dialog(Session::builtin_models(), this);
    if (m_runDialog(dialog) && !dialog.selectedModel().isEmpty())
        openModel(dialog.selectedModel());
}

void MainWindow::showOpenDataDialog()
{
    if (!session())
        return;
    const ModelInfo info = session()->info();
    QString expected =
        tr("one sample of %1")
            .arg(QString::fromStdString(format_input_shapes(model_inputs(info.spec))));
    if (info.spec.num_classes > 0)
        expected += tr(" and gives %1 class scores").arg(info.spec.num_classes);
    DataDialog dialog(
        expected, session()->data(),
        [this](const DataChoice& choice) {
            return QString::fromStdString(session()->data_problem(choice));
        },
        this);
    if (!m_runDialog(dialog))
        return;
    const DataChoice choice = dialog.choice();
    session()->set_data(choice);
    logger()->info("data set: {}", choice.spec);
    refreshAfterEdit();
    scheduleEvaluate();
}

bool MainWindow::openModel(const QString& source)
{
    if (source.endsWith(QLatin1String(".prunelab.json")))
        return openProject(source);
    if (m_jobs->isChangingModel()) {
        m_errorHandler(
            tr("Stop the running %1 before opening another model.").arg(m_jobs->runningTitle()));
        return false;
    }
    // A TorchScript model that does not say its input shape: ask, and try again.
    std::unique_ptr<Session> opened;
    InputShapes inputShape;
    for (;;) {
        bool unknownShape = false;
        const bool ok = guarded(
            [&] {
                try {
                    opened = Session::open(source.toStdString(), inputShape);
                } catch (const UnknownInputShape&) {
                    unknownShape = true;
                }
            },
            tr("Cannot open %1").arg(source));
        if (!ok)
            return false;
        if (!unknownShape)
            break;
        const QString answer = m_inputShapeQuestion(source);
        if (answer.trimmed().isEmpty())
            return false; // cancelled: the current session stays
        guarded([&] { inputShape = parse_input_shapes(answer.toStdString(), "the input shape"); },
                tr("Cannot open %1").arg(source));
    }
    m_jobs->stop(); // an evaluation of the previous model
    if (!adoptSession(std::move(opened), source))
        return false;
    m_projectPath.clear();
    if (source != QLatin1String("default"))
        addRecent(source);
    m_curves->clear();
    m_curves->setBaseline(session()->accuracy());
    updateStatus(session()->info()); // the curves' "you are here" went with clear()
    setModified(false);
    // Nothing known fits this model: random samples stand in until the user picks real data.
    if (session()->data_is_a_stand_in())
        showOpenDataDialog();
    return true;
}

void MainWindow::onModelChanged()
{
    m_histogramRow = -1;
    m_compaction->reset(); // of the previous model
    syncGlobalRateControls();
    refresh();
    refreshOverview();
    selectLayer(0);
    updateCriterionHelp();
}

bool MainWindow::adoptSession(std::unique_ptr<Session> opened, const QString& label)
{
    const ModelInfo info = opened->info();
    logger()->info("opened {} ({}, {} parameters)", label.toStdString(), info.spec.name,
                   info.total_params);
    opened->set_global_ranking(rankingSettings()); // the toolbar's, for every model opened
    // Scored before it is adopted, so every view shows it complete at modelChanged.
    if (!opened->is_scored()) {
        if (criterion_is_data_driven(m_criterion->currentText().toStdString())) {
            const QSignalBlocker block(m_criterion);
            m_criterion->setCurrentText(QStringLiteral("l1"));
        }
        guarded(
            [&] {
                opened->score(m_criterion->currentText().toStdString(),
                              m_granularity->currentText().toStdString());
            },
            tr("Cannot score %1").arg(label));
    } else {
        const QSignalBlocker blockCriterion(m_criterion);
        const QSignalBlocker blockGranularity(m_granularity);
        m_criterion->setCurrentText(QString::fromStdString(opened->criterion()));
        m_granularity->setCurrentText(QString::fromStdString(opened->granularity()));
    }
    m_document->adopt(std::move(opened)); // onModelChanged refreshes the views
    m_changeNote->setText(
        tr("Opened %1: %2 parameters, %3 multiply-accumulates per sample.")
            .arg(label, LayerTableModel::formatCount(info.total_params),
                 LayerTableModel::formatCount(info.effective_flops)) +
        (session()->needs_training()
             ? tr(" Its weights are random: Prune ▸ Train… (Ctrl+Shift+T) trains it first.")
             : QString()));
    scheduleEvaluate(); // a model whose file records no accuracy on the split shown
    return true;
}

void MainWindow::refresh()
{
    if (!session())
        return;
    const ModelInfo info = session()->info();
    m_layerModel->setLayers(toLayerRows(info, session()));
    m_layerTable->resizeColumnsToContents();
    m_layerTable->horizontalHeader()->setSectionResizeMode(LayerTableModel::NameColumn,
                                                           QHeaderView::Stretch);
    // Room for "100.0%" and the largest counts the edits can produce.
    m_layerTable->setColumnWidth(
        LayerTableModel::RateColumn,
        std::max(m_layerTable->columnWidth(LayerTableModel::RateColumn),
                 fontMetrics().horizontalAdvance(QStringLiteral("100.0%")) + 16));
    m_layerTable->setColumnWidth(
        LayerTableModel::SparsityColumn,
        std::max(m_layerTable->columnWidth(LayerTableModel::SparsityColumn),
                 fontMetrics().horizontalAdvance(QStringLiteral("Sparsity")) + 20));
    updateStatus(info);
}

void MainWindow::updateTitle()
{
    if (!session())
        return;
    const QString source = QString::fromStdString(session()->source());
    const QString model = QString::fromStdString(session()->info().spec.name);
    QString title = !m_projectPath.isEmpty()             ? QFileInfo(m_projectPath).fileName()
                    : source == QLatin1String("default") ? tr("%1 (default)").arg(model)
                                                         : source;
    setWindowTitle(tr("PruneLab — %1[*]").arg(title));
    setWindowModified(m_modified);
}

void MainWindow::setModified(bool modified)
{
    m_modified = modified;
    updateTitle();
}

void MainWindow::updateStatus(const ModelInfo& info)
{
    if (!session())
        return;
    updateTitle();
    // A TorchScript model's spec is just "torchscript": its file says which one it is.
    const QString name =
        info.spec.name == "torchscript"
            ? tr("%1 (TorchScript)")
                  .arg(QFileInfo(QString::fromStdString(session()->source())).fileName())
            : QString::fromStdString(info.spec.name);
    QString status =
        tr("%1 · input %2 · %3 parameters · sparsity %4% · data %5")
            .arg(name, QString::fromStdString(format_input_shapes(model_inputs(info.spec))),
                 LayerTableModel::formatCount(info.total_params),
                 QString::number(info.sparsity() * 100.0, 'f', 1),
                 QString::fromStdString(session()->data_spec()));
    const auto accuracy = session()->accuracy();
    const QString split = QString::fromStdString(session()->accuracy_split());
    const QString measure = session()->measures_fidelity()
                                ? tr("%1 fidelity (cosine, %)").arg(split)
                                : tr("%1 accuracy (%)").arg(split);
    m_curves->setMeasureLabel(measure);
    // "You are here": the shown model on the curves, once it is measured.
    m_curves->setCurrentPoint(
        accuracy ? std::optional<AccuracyPoint>(AccuracyPoint{info.sparsity(), info.params_kept(),
                                                              info.flops_kept(), *accuracy})
                 : std::nullopt);
    m_training->setMeasureLabel(measure);
    if (accuracy && session()->measures_fidelity())
        status += tr(" · fidelity to the model as opened: cosine %1, relative L2 error %2")
                      .arg(*accuracy, 0, 'f', 4)
                      .arg(session()->relative_l2_error().value_or(0.0), 0, 'f', 4);
    else if (accuracy)
        status += tr(" · %1 accuracy %2%").arg(split).arg(*accuracy * 100.0, 0, 'f', 2);
    else if (session()->measures_fidelity())
        status += tr(" · fidelity not measured");
    else
        status += tr(" · accuracy not measured");
    m_statusLabel->setText(status);
    updatePipeline();
}

void MainWindow::updatePipeline()
{
    if (!session())
        return;
    // Train is done for any opened model; Prune is current until something is pruned; a
    // compaction of the model as shown completes the strip.
    const bool pruned = session()->info().sparsity() > 0.0;
    const auto compaction = session()->compaction();
    if (compaction && compaction->changed)
        m_pipeline->setCurrent(4);
    else if (session()->needs_training())
        m_pipeline->setCurrent(0); // a built-in's random weights: nothing is done yet
    else
        m_pipeline->setCurrent(session()->is_finetuned() ? 3 : pruned ? 2 : 1);
    // "Small model" is not simply done when the model has fallen below the Curves' floor.
    const auto accuracy = session()->accuracy();
    const auto floor = m_curves->floor();
    const bool belowFloor = m_pipeline->current() >= 3 && accuracy && floor && *accuracy < *floor;
    m_pipeline->setWarning(
        3, belowFloor ? tr("Accuracy %1 is below the floor %2 (the dense %3 minus %4 points, the "
                           "dotted line in the Curves dock): fine-tune longer or prune less "
                           "before using this model.")
                            .arg(percentText(*accuracy, 2), percentText(*floor, 2),
                                 percentText(*m_curves->baseline(), 2))
                            .arg(kAccuracyFloorDrop * 100.0)
                      : QString());
    // A compacted model to export exists only for the model as shown.
    if (auto* exportCompacted = findChild<QAction*>(QStringLiteral("actionExportCompacted")))
        exportCompacted->setEnabled(compaction && compaction->changed);
    if (!compaction && m_compaction->rowCount() > 0)
        m_compaction->clear(
            tr("The model changed since the last compaction: Compact (Ctrl+K) again."));
}

void MainWindow::updateCriterionHelp()
{
    m_criterionHelp->setHtml(
        criterionHelpHtml(m_criterion->currentText(), m_granularity->currentText()));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_modified && session()) {
        const int answer = m_closeQuestion();
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            QString path = m_projectPath;
            if (path.isEmpty())
                path = QFileDialog::getSaveFileName(this, tr("Save Project"),
                                                    QStringLiteral("session.prunelab.json"),
                                                    tr("PruneLab projects (*.prunelab.json)"));
            if (path.isEmpty() || !saveProject(path)) {
                event->ignore();
                return;
            }
        }
    }
    m_jobs->stop();
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    m_recovery->discard(); // saved or discarded on purpose: nothing to recover
    event->accept();
}

QString MainWindow::changeNote() const
{
    return m_changeNote->text();
}

bool MainWindow::exportAs(const QString& kind, const QString& path)
{
    if (!session())
        return false;
    const std::string file = path.toStdString();
    QString what = kind;
    bool known = true;
    const bool written = guarded(
        [&] {
            if (kind == QLatin1String("checkpoint")) {
                session()->export_checkpoint(file);
                // Every exported result gets the recipe that replays it, beside it.
                const QFileInfo info(path);
                if (session()->is_scored())
                    session()->export_recipe(
                        info.dir()
                            .filePath(info.completeBaseName() + QStringLiteral(".recipe.json"))
                            .toStdString(),
                        info.fileName().toStdString());
            } else if (kind == QLatin1String("state_dict"))
                session()->export_state_dict(file);
            else if (kind == QLatin1String("masks"))
                session()->export_masks(file);
            else if (kind == QLatin1String("report"))
                session()->export_report(file);
            else if (kind == QLatin1String("recipe"))
                session()->export_recipe(file,
                                         QFileInfo(path).completeBaseName().toStdString() + ".pt");
            else if (kind == QLatin1String("netron"))
                session()->export_netron(file);
            else if (kind == QLatin1String("compacted"))
                session()->export_compacted(file);
            else if (kind == QLatin1String("onnx"))
                what = QString::fromStdString(session()->export_onnx(file)) + " model as ONNX";
            else
                known = false;
        },
        tr("Cannot export"));
    if (!written || !known)
        return false;
    logger()->info("exported the {} to {}", what.toStdString(), file);
    statusBar()->showMessage(tr("Exported the %1 to %2").arg(what, path), 8000);
    return true;
}

} // namespace prunelab
