#include "app/main_window.h"

#include "app/layer_rows.h"
#include "engine/error.h"
#include "engine/session.h"
#include "widgets/layer_table_model.h"

#include <QAction>
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

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("modelStatus"));
    statusBar()->addWidget(m_statusLabel, 1);

    m_errorHandler = [this](const QString& message) {
        QMessageBox::critical(this, tr("PruneLab"), message);
    };
    buildMenus();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    if (!settings.contains(QStringLiteral("mainWindow/geometry")))
        resize(900, 420);
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

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About PruneLab"), this, [this] {
        QMessageBox::about(this, tr("About PruneLab"),
                           tr("<b>PruneLab %1</b><p>An interactive workbench for pruning neural "
                              "networks, on Qt and LibTorch.</p>")
                               .arg(QApplication::applicationVersion()));
    });
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
        m_errorHandler(tr("Cannot open %1: %2").arg(source, QString::fromUtf8(e.what())));
        return false;
    }
    refresh();
    return true;
}

void MainWindow::refresh()
{
    if (!m_session)
        return;
    const ModelInfo info = m_session->info();
    m_layerModel->setLayers(toLayerRows(info));
    m_layerTable->resizeColumnsToContents();

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
