// MainWindow: project files (JSON + checkpoint + session state beside it), recent files, and
// drag-and-drop.

#include "app/gui/job_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/recovery_store.h"
#include "engine/core/error.h"
#include "engine/core/logging.h"
#include "engine/session/session.h"
#include "widgets/accuracy_curve_view.h"
#include "widgets/global_ranking_button.h"

#include <spdlog/logger.h>

#include <QAction>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>

#include <QUndoStack>
#include <cmath>

namespace prunelab {
namespace {

constexpr int kProjectVersion = 1;
const QString kProjectSuffix = QStringLiteral(".prunelab.json");

/// "dir/run.prunelab.json" → "dir/run"
QString projectStem(const QString& path)
{
    if (path.endsWith(kProjectSuffix))
        return path.left(path.size() - kProjectSuffix.size());
    const QFileInfo info(path);
    return info.dir().filePath(info.completeBaseName());
}

QJsonObject curvesToJson(const AccuracyCurveView& view)
{
    QJsonArray series;
    for (const QString& name : view.seriesOrder()) {
        QJsonArray points;
        for (const auto& p : view.series().value(name))
            points.append(QJsonObject{{QStringLiteral("sparsity"), p.sparsity},
                                      {QStringLiteral("params_kept"), p.paramsKept},
                                      {QStringLiteral("flops_kept"), p.flopsKept},
                                      {QStringLiteral("accuracy"), p.accuracy}});
        series.append(QJsonObject{{QStringLiteral("name"), name},
                                  {QStringLiteral("run"), view.runOf(name)},
                                  {QStringLiteral("visible"), view.isRunVisible(view.runOf(name))},
                                  {QStringLiteral("points"), points}});
    }
    QJsonObject out{{QStringLiteral("series"), series},
                    {QStringLiteral("x_axis"), int(view.xAxis())}};
    if (view.baseline())
        out[QStringLiteral("baseline")] = *view.baseline();
    return out;
}

void curvesFromJson(const QJsonObject& json, AccuracyCurveView& view)
{
    view.clear();
    for (const auto& s : json.value(QStringLiteral("series")).toArray()) {
        const QJsonObject series = s.toObject();
        QVector<AccuracyPoint> points;
        for (const auto& p : series.value(QStringLiteral("points")).toArray()) {
            const QJsonObject o = p.toObject();
            points.append({o.value(QStringLiteral("sparsity")).toDouble(),
                           o.value(QStringLiteral("params_kept")).toDouble(1.0),
                           o.value(QStringLiteral("flops_kept")).toDouble(1.0),
                           o.value(QStringLiteral("accuracy")).toDouble()});
        }
        // Projects from before runs have none: each series is a run of its own.
        const QString run = series.value(QStringLiteral("run")).toString();
        view.setSeries(series.value(QStringLiteral("name")).toString(), points, run);
        if (!series.value(QStringLiteral("visible")).toBool(true))
            view.setRunVisible(view.runOf(series.value(QStringLiteral("name")).toString()), false);
    }
    if (json.contains(QStringLiteral("baseline")))
        view.setBaseline(json.value(QStringLiteral("baseline")).toDouble());
    view.setXAxis(
        AccuracyCurveView::XAxis(std::clamp(json.value(QStringLiteral("x_axis")).toInt(), 0, 2)));
}

} // namespace

bool MainWindow::saveProject(const QString& requested)
{
    if (!session())
        return false;
    if (m_jobs->isChangingModel()) {
        m_errorHandler(tr("Stop the running %1 before saving.").arg(m_jobs->runningTitle()));
        return false;
    }
    QString path = requested;
    if (!path.endsWith(kProjectSuffix))
        path = projectStem(path) + kProjectSuffix;
    const QString error = writeProject(path, {});
    if (!error.isEmpty()) {
        logger()->warn("{}", error.toStdString());
        m_errorHandler(error);
        return false;
    }
    logger()->info("saved project {}", path.toStdString());
    m_projectPath = path;
    addRecent(path);
    setModified(false);
    m_recovery->discard(); // saved for real: nothing left to recover
    return true;
}

QString MainWindow::writeProject(const QString& path, const QJsonObject& extra)
{
    const QString stem = projectStem(path);
    const QString checkpoint = stem + QStringLiteral(".pt");
    const QString state = stem + QStringLiteral(".state.pt");
    try {
        session()->save(checkpoint.toStdString(), state.toStdString());
    } catch (const std::exception& e) {
        return tr("Cannot save the project: %1").arg(QString::fromStdString(readable_message(e)));
    }
    // The recipe that replays the pruning from the opened model travels with every project.
    const QString recipe = stem + QStringLiteral(".recipe.json");
    try {
        if (session()->is_scored())
            session()->export_recipe(recipe.toStdString(),
                                     QFileInfo(checkpoint).fileName().toStdString());
    } catch (const std::exception& e) {
        logger()->warn("no recipe written beside the project: {}", e.what());
    }
    QJsonObject project{
        {QStringLiteral("format"), QStringLiteral("prunelab-project")},
        {QStringLiteral("format_version"), kProjectVersion},
        {QStringLiteral("checkpoint"), QFileInfo(checkpoint).fileName()},
        {QStringLiteral("state"), QFileInfo(state).fileName()},
        {QStringLiteral("recipe"), QFileInfo(recipe).fileName()},
        {QStringLiteral("source"), QString::fromStdString(session()->source())},
        {QStringLiteral("curves"), curvesToJson(*m_curves)},
        {QStringLiteral("global_rate"), m_globalSpin->value() / 100.0},
        {QStringLiteral("global_ranking"),
         QJsonObject{{QStringLiteral("normalizer"), m_ranking->normalizer()},
                     {QStringLiteral("max_layer_rate"),
                      m_ranking->maxLayerRate() < 0.0 ? QJsonValue(QStringLiteral("auto"))
                                                      : QJsonValue(m_ranking->maxLayerRate())}}},
    };
    for (auto it = extra.begin(); it != extra.end(); ++it)
        project.insert(it.key(), it.value());
    QSaveFile file(path); // temp file + rename: a failed save keeps the previous project
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(project).toJson(QJsonDocument::Indented)) < 0 || !file.commit())
        return tr("Cannot save the project: %1: %2").arg(path, file.errorString());
    return {};
}

void MainWindow::setOutsidePathsQuestion(
    std::function<bool(const QString&, const QStringList&)> question)
{
    m_outsidePathsQuestion = std::move(question);
}

bool MainWindow::askToOpenOutside(const QString& project, const QStringList& files)
{
    return QMessageBox::question(
               this, tr("Open Project"),
               tr("%1 refers to files outside its folder:\n\n%2\n\nA project made by someone "
                  "else could use this to read any file you can. Open them anyway?")
                   .arg(QFileInfo(project).fileName(), files.join(QLatin1Char('\n'))),
               QMessageBox::Open | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Open;
}

bool MainWindow::openProject(const QString& path)
{
    if (!loadProject(path))
        return false;
    m_projectPath = path;
    addRecent(path);
    setModified(false);
    return true;
}

bool MainWindow::loadProject(const QString& path, const QString& label)
{
    if (m_jobs->isChangingModel()) {
        m_errorHandler(
            tr("Stop the running %1 before opening a project.").arg(m_jobs->runningTitle()));
        return false;
    }
    // A FIFO or device would block the window on its first read.
    if (const QFileInfo info(path); info.exists() && !info.isFile()) {
        m_errorHandler(tr("Cannot open %1: not a regular file").arg(path));
        return false;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_errorHandler(tr("Cannot open %1: %2").arg(path, file.errorString()));
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject project = doc.object();
    if (doc.isNull() ||
        project.value(QStringLiteral("format")).toString() != QLatin1String("prunelab-project")) {
        m_errorHandler(tr("Cannot open %1: not a PruneLab project (%2)")
                           .arg(path, doc.isNull() ? parseError.errorString()
                                                   : tr("no \"format\": \"prunelab-project\"")));
        return false;
    }
    if (project.value(QStringLiteral("format_version")).toInt() > kProjectVersion) {
        m_errorHandler(
            tr("Cannot open %1: project format version %2 is newer than this PruneLab reads (%3)")
                .arg(path)
                .arg(project.value(QStringLiteral("format_version")).toInt())
                .arg(kProjectVersion));
        return false;
    }
    const QDir dir = QFileInfo(path).dir();
    const QString checkpoint = dir.filePath(project.value(QStringLiteral("checkpoint")).toString());
    const QString state = dir.filePath(project.value(QStringLiteral("state")).toString());
    // A project is data: the files it names lie beside it, unless the user agrees otherwise
    // (a shared project could name any file on the machine).
    QStringList outside;
    const QString folder = QDir::cleanPath(dir.absolutePath()) + QLatin1Char('/');
    for (const QString& file : {checkpoint, state})
        if (!QDir::cleanPath(QFileInfo(file).absoluteFilePath()).startsWith(folder))
            outside << QDir::cleanPath(QFileInfo(file).absoluteFilePath());
    if (!outside.isEmpty() && !m_outsidePathsQuestion(path, outside)) {
        logger()->warn("not opened: {} names files outside its folder", path.toStdString());
        return false;
    }
    std::unique_ptr<Session> opened;
    if (!guarded(
            [&] { opened = Session::open_saved(checkpoint.toStdString(), state.toStdString()); },
            tr("Cannot open %1").arg(path)))
        return false;
    m_jobs->stop();
    adoptSession(std::move(opened), label.isEmpty() ? QFileInfo(path).fileName() : label);
    curvesFromJson(project.value(QStringLiteral("curves")).toObject(), *m_curves);
    if (project.contains(QStringLiteral("global_ranking"))) {
        const QJsonObject ranking = project.value(QStringLiteral("global_ranking")).toObject();
        m_ranking->setRanking(ranking.value(QStringLiteral("normalizer")).toString(),
                              ranking.value(QStringLiteral("max_layer_rate"))
                                  .toDouble(GlobalRankingButton::kAutomatic));
        session()->set_global_ranking(rankingSettings());
    }
    if (project.contains(QStringLiteral("global_rate"))) {
        // What the user set (with locked layers it differs from the overall sparsity).
        const double rate = project.value(QStringLiteral("global_rate")).toDouble();
        const QSignalBlocker blockSlider(m_globalSlider);
        const QSignalBlocker blockSpin(m_globalSpin);
        m_globalSlider->setValue(int(std::lround(rate * 1000.0)));
        m_globalSpin->setValue(rate * 100.0);
    }
    return true;
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    const QString absolute = QFileInfo(path).exists() ? QFileInfo(path).absoluteFilePath() : path;
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > 8)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openModel(path); })
            ->setToolTip(path);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openModel(urls.first().toLocalFile());
}

} // namespace prunelab
