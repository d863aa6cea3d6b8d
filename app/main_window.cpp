#include "app/main_window.h"

#include "app/layer_rows.h"
#include "app/log_dock.h"
#include "app/threshold_command.h"
#include "engine/error.h"
#include "engine/logging.h"
#include "engine/session.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"

#include <QDockWidget>
#include <QItemSelectionModel>
#include <cmath>

#include <spdlog/logger.h>

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolBar>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QUndoStack>

namespace prunelab {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("PruneLab"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/prunelab.svg")));

    m_layerModel = new LayerTableModel(this);
    m_layerTable = new QTableView(this);
    m_layerTable->setObjectName(QStringLiteral("layerTable"));
    m_layerTable->setModel(m_layerModel);
    m_layerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerTable->setAlternatingRowColors(true);
    m_layerTable->verticalHeader()->hide();
    m_layerTable->horizontalHeader()->setSectionResizeMode(LayerTableModel::NameColumn,
                                                           QHeaderView::Stretch);
    setCentralWidget(m_layerTable);

    m_undo = new QUndoStack(this);
    m_histogram = new ImportanceHistogramView(this);
    auto* importanceDock = new QDockWidget(tr("Importance"), this);
    importanceDock->setObjectName(QStringLiteral("importanceDock"));
    importanceDock->setWidget(m_histogram);
    addDockWidget(Qt::RightDockWidgetArea, importanceDock);
    connect(m_histogram, &ImportanceHistogramView::thresholdDragged, this,
            &MainWindow::onThresholdDragged);
    connect(m_histogram, &ImportanceHistogramView::thresholdDragFinished, this,
            &MainWindow::onThresholdDragFinished);
    connect(m_layerTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showHistogram(current.row()); });

    auto* logDock = new LogDock(this);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    resizeDocks({logDock}, {90}, Qt::Vertical);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("modelStatus"));
    statusBar()->addWidget(m_statusLabel, 1);

    m_errorHandler = [this](const QString& message) {
        QMessageBox::critical(this, tr("PruneLab"), message);
    };
    buildMenus();
    buildToolBar();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    if (!settings.contains(QStringLiteral("mainWindow/geometry")))
        resize(1200, 520);
}

MainWindow::~MainWindow() = default;

void MainWindow::setErrorHandler(std::function<void(const QString&)> handler)
{
    m_errorHandler = std::move(handler);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, &MainWindow::showOpenModelDialog);
    open->setObjectName(QStringLiteral("actionOpenModel"));
    open->setShortcut(QKeySequence::Open);
    QAction* openDefault = file->addAction(tr("Open &Default Model"), this,
                                           [this] { openModel(QStringLiteral("default")); });
    openDefault->setObjectName(QStringLiteral("actionOpenDefault"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("actionUndo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("actionRedo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence::Redo});
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
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
    m_criterion->addItems({QStringLiteral("l1"), QStringLiteral("l2"), QStringLiteral("random")});
    bar->addWidget(m_criterion);
    bar->addWidget(new QLabel(tr(" Granularity "), bar));
    m_granularity = new QComboBox(bar);
    m_granularity->setObjectName(QStringLiteral("granularityCombo"));
    m_granularity->addItems({QStringLiteral("weight"), QStringLiteral("neuron"), QStringLiteral("filter")});
    bar->addWidget(m_granularity);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Global rate "), bar));
    m_globalSlider = new QSlider(Qt::Horizontal, bar);
    m_globalSlider->setObjectName(QStringLiteral("globalRateSlider"));
    m_globalSlider->setRange(0, 1000);
    m_globalSlider->setMinimumWidth(180);
    bar->addWidget(m_globalSlider);
    m_globalSpin = new QDoubleSpinBox(bar);
    m_globalSpin->setObjectName(QStringLiteral("globalRateSpin"));
    m_globalSpin->setRange(0.0, 100.0);
    m_globalSpin->setDecimals(1);
    m_globalSpin->setSuffix(QStringLiteral(" %"));
    bar->addWidget(m_globalSpin);

    connect(m_criterion, &QComboBox::currentTextChanged, this, &MainWindow::rescore);
    connect(m_granularity, &QComboBox::currentTextChanged, this, &MainWindow::rescore);
    connect(m_globalSlider, &QSlider::valueChanged, this, [this](int value) {
        onGlobalRateChanged(value / 1000.0, m_globalSlider->isSliderDown());
    });
    connect(m_globalSlider, &QSlider::sliderReleased, this, &MainWindow::closeLastCommand);
    connect(m_globalSpin, &QDoubleSpinBox::editingFinished, this,
            [this] { onGlobalRateChanged(m_globalSpin->value() / 100.0, false); });
}

void MainWindow::rescore()
{
    if (!m_session)
        return;
    try {
        m_session->score(m_criterion->currentText().toStdString(),
                         m_granularity->currentText().toStdString());
    } catch (const std::exception& e) {
        m_errorHandler(QString::fromUtf8(e.what()));
        return;
    }
    m_undo->clear(); // thresholds of other scores mean nothing now
    const QSignalBlocker blockSlider(m_globalSlider);
    const QSignalBlocker blockSpin(m_globalSpin);
    m_globalSlider->setValue(0);
    m_globalSpin->setValue(0.0);
    refreshAfterEdit();
    showHistogram(m_histogramRow < 0 ? 0 : m_histogramRow);
}

void MainWindow::onGlobalRateChanged(double rate, bool dragging)
{
    if (!m_session || !m_session->is_scored())
        return;
    {
        const QSignalBlocker blockSlider(m_globalSlider);
        const QSignalBlocker blockSpin(m_globalSpin);
        m_globalSlider->setValue(int(std::lround(rate * 1000.0)));
        m_globalSpin->setValue(rate * 100.0);
    }
    m_undo->push(new SetGlobalRateCommand(
        m_session->thresholds(), rate,
        [this](double r) {
            m_session->set_global_rate(r);
            refreshAfterEdit();
        },
        [this](const SetGlobalRateCommand::Thresholds& t) {
            m_session->set_thresholds(t);
            refreshAfterEdit();
        }));
    if (!dragging)
        closeLastCommand();
}

void MainWindow::closeLastCommand()
{
    if (m_undo->count() == 0 || m_undo->index() == 0)
        return;
    auto* last = const_cast<QUndoCommand*>(m_undo->command(m_undo->index() - 1));
    if (auto* threshold = dynamic_cast<SetThresholdCommand*>(last))
        threshold->close();
    else if (auto* global = dynamic_cast<SetGlobalRateCommand*>(last))
        global->close();
}

void MainWindow::refreshAfterEdit()
{
    if (!m_session)
        return;
    const ModelInfo info = m_session->info();
    m_layerModel->updateLayers(toLayerRows(info));
    const QString layer = selectedLayer();
    if (!layer.isEmpty() && m_session->is_scored()) {
        const LayerPruneState state = m_session->prune_state(layer.toStdString());
        if (!m_histogram->isDragging())
            m_histogram->setThreshold(lineFor(state));
        m_histogram->setPrunedSummary(state.pruned, state.elements);
    }
    updateStatus(info);
}

double MainWindow::lineFor(const LayerPruneState& state) const
{
    if (std::isfinite(state.threshold))
        return state.threshold;
    // An untouched layer shows its line just left of every score: nothing pruned.
    const auto& h = m_histogram->histogram();
    return h.binLefts.value(0) - 0.5 * h.binWidth;
}

void MainWindow::showOpenModelDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model"), QString(), tr("PruneLab checkpoints (*.pt *.pth);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

bool MainWindow::openModel(const QString& source)
{
    try {
        auto session = Session::open(source.toStdString());
        m_session = std::move(session);
    } catch (const std::exception& e) {
        logger()->warn("cannot open {}: {}", source.toStdString(), e.what());
        m_errorHandler(tr("Cannot open %1: %2").arg(source, QString::fromUtf8(e.what())));
        return false;
    }
    const ModelInfo info = m_session->info();
    logger()->info("opened {} ({}, {} parameters)", source.toStdString(), info.spec.name,
                   info.total_params);
    try {
        m_session->score(m_criterion->currentText().toStdString(),
                         m_granularity->currentText().toStdString());
    } catch (const std::exception& e) {
        m_errorHandler(tr("Cannot score %1: %2").arg(source, QString::fromUtf8(e.what())));
    }
    m_histogramRow = -1;
    m_undo->clear(); // edits of the previous model do not apply to this one
    {
        const QSignalBlocker blockSlider(m_globalSlider);
        const QSignalBlocker blockSpin(m_globalSpin);
        m_globalSlider->setValue(0);
        m_globalSpin->setValue(0.0);
    }
    refresh();
    selectLayer(0);
    return true;
}

void MainWindow::selectLayer(int row)
{
    // selectRow moves the current row, which shows the histogram through currentRowChanged;
    // when the row was already current (after a model reset) show it here.
    m_layerTable->selectRow(row);
    if (m_histogramRow != row)
        showHistogram(row);
}

QString MainWindow::selectedLayer() const
{
    if (m_histogramRow < 0 || m_histogramRow >= m_layerModel->layers().size())
        return {};
    return m_layerModel->layers().at(m_histogramRow).name;
}

void MainWindow::showHistogram(int row)
{
    if (!m_session || !m_session->is_scored() || row < 0 || row >= m_layerModel->layers().size())
        return;
    m_histogramRow = row;
    const std::string layer = m_layerModel->layers().at(row).name.toStdString();
    const LayerHistogram h = m_session->histogram(layer);
    HistogramData data;
    data.layer = QString::fromStdString(h.layer);
    data.binLefts = QVector<double>(h.bin_lefts.begin(), h.bin_lefts.end());
    data.binWidth = h.bin_width;
    data.counts = QVector<double>(h.counts.begin(), h.counts.end());
    data.total = h.total;
    m_histogram->setHistogram(data);
    const LayerPruneState state = m_session->prune_state(layer);
    m_histogram->setThreshold(lineFor(state));
    m_histogram->setPrunedSummary(state.pruned, state.elements);
    // Neuron granularity prunes Linear rows, filter granularity Conv2d filters; other layers
    // show their scores but cannot be thresholded.
    const bool applies = m_session->applies_to(layer);
    m_histogram->setEnabled(applies);
    m_histogram->setToolTip(applies ? QString()
                                    : tr("%1 is not pruned at %2 granularity")
                                          .arg(QString::fromStdString(layer),
                                               m_granularity->currentText()));
}

void MainWindow::onThresholdDragged(double threshold)
{
    const QString layer = selectedLayer();
    if (!m_session || layer.isEmpty())
        return;
    const float before = m_session->prune_state(layer.toStdString()).threshold;
    m_undo->push(new SetThresholdCommand(
        layer, before, threshold,
        [this](const QString& name, double value) { applyThreshold(name, value); }));
}

void MainWindow::onThresholdDragFinished() { closeLastCommand(); }

void MainWindow::applyThreshold(const QString& layer, double threshold)
{
    if (!m_session)
        return;
    try {
        m_session->set_threshold(layer.toStdString(), float(threshold));
    } catch (const std::exception& e) {
        m_errorHandler(QString::fromUtf8(e.what()));
        return;
    }
    refreshAfterEdit();
}

void MainWindow::refresh()
{
    if (!m_session)
        return;
    const ModelInfo info = m_session->info();
    m_layerModel->setLayers(toLayerRows(info));
    m_layerTable->resizeColumnsToContents();
    updateStatus(info);
}

void MainWindow::updateStatus(const ModelInfo& info)
{
    if (!m_session)
        return;

    const QString modelName = QString::fromStdString(info.spec.name);
    const QString source = QString::fromStdString(m_session->source());
    setWindowTitle(tr("PruneLab — %1").arg(source == QLatin1String("default")
                                                ? tr("%1 (default)").arg(modelName)
                                                : source));
    QString status = tr("%1 · input %2 · %3 parameters · sparsity %4% · data %5")
                         .arg(modelName, QString::fromStdString(format_shape(info.spec.input_shape)),
                              LayerTableModel::formatCount(info.total_params),
                              QString::number(info.sparsity() * 100.0, 'f', 1),
                              QString::fromStdString(m_session->data_spec()));
    if (const auto accuracy = m_session->recorded_accuracy())
        status += tr(" · test accuracy %1%").arg(*accuracy * 100.0, 0, 'f', 2);
    m_statusLabel->setText(status);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    event->accept();
}

} // namespace prunelab
