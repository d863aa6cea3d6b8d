#pragma once

#include <QFont>
#include <QMainWindow>
#include <QMap>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QDateTime;
class QJsonObject;
class QComboBox;
class QDialog;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QSlider;
class QTableView;
class QTextBrowser;
class QToolButton;
class QUndoCommand;
class QUndoStack;

namespace prunelab {

class AccuracyCurveView;
class GlobalRankingButton;
class CompactionView;
class HeadGrid;
class HistogramOverview;
class ImportanceHistogramView;
class JobController;
class LessonPanel;
class LayerTableModel;
class PipelineStrip;
class RecoveryStore;
class Session;
class SessionDocument;
class SessionJob;
class TrainingCurveView;
enum class JobKind;
struct DistillSettings;
struct FineTuneSettings;
struct GlobalRankingSettings;
struct IterateSettings;
struct JobEvent;
struct LayerPruneState;
struct ModelInfo;
struct SweepSettings;

/// The PruneLab workbench: the open model's layer table (central), docks for the importance
/// histogram, accuracy curves, live training curves, the criterion explained and the log; a
/// pruning toolbar; long work on a worker thread with progress and Stop. Owns the Session.
/// Split over main_window*.cpp by concern (docks, editing, jobs, project files).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// How far below the dense accuracy the Curves' floor lies (a usable small model stays above).
    static constexpr double kAccuracyFloorDrop = 0.05;
    /// How often a modified session is autosaved for recovery after a crash.
    static constexpr int kAutosaveMilliseconds = 3 * 60 * 1000;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a MODEL argument (`default`, a built-in name, or a checkpoint path), or a project
    /// file (*.prunelab.json). On failure the error handler is told, the current session is
    /// kept, and false is returned.
    bool openModel(const QString& source);
    /// Saves the session as a project: PATH (JSON: curves, view settings) and, beside it,
    /// PATH's base name + ".pt" (the pruned model, a PruneLab checkpoint) and ".state.pt".
    bool saveProject(const QString& path);
    bool openProject(const QString& path);
    /// Autosave: every `milliseconds` (default three minutes; 0 turns it off) a modified
    /// session is written to this window's recovery folder (RecoveryStore), removed again on a
    /// clean exit or a real save.
    void setAutosaveInterval(int milliseconds);
    /// Writes the recovery project now (when modified and no job is changing the model).
    /// True when written.
    bool autosave();
    /// After a crash: offers the newest autosave a window that no longer runs left behind
    /// (Recover reopens it as unsaved work, Discard deletes it). Call once the window shows.
    /// True when one was recovered.
    bool offerRecovery();
    /// Replaces the recovery question (tests): given the autosave's time and original project,
    /// true recovers.
    void setRecoveryQuestion(std::function<bool(const QDateTime&, const QString&)> question);
    RecoveryStore& recoveryStore() { return *m_recovery; }
    /// Replaces the question before a project opens files outside its own folder (tests): given
    /// the project and those files, true opens them.
    void setOutsidePathsQuestion(std::function<bool(const QString&, const QStringList&)> question);
    /// Writes the shown model as `kind`: "checkpoint" (PruneLab, with masks), "state_dict"
    /// (PyTorch names; docs/pytorch_models.py), "masks" (bool tensors) or "report" (JSON).
    /// False (and the error handler told) after an error; a file already there stays intact.
    bool exportAs(const QString& kind, const QString& path);
    QString projectPath() const { return m_projectPath; }
    bool isModified() const { return m_modified; }

    /// Replaces the modal error box (tests install a recorder).
    void setErrorHandler(std::function<void(const QString&)> handler);
    /// Replaces the unsaved-changes question on close: return QMessageBox::Save, Discard or
    /// Cancel (tests install an answer).
    void setCloseQuestion(std::function<int()> question);
    /// Replaces the question before Reset to Dense discards fine-tuned weights (true resets).
    void setResetQuestion(std::function<bool()> question);
    /// Replaces the question for one sample's input shape of a TorchScript model that stores
    /// none (tests install an answer). Return the shape as typed ("3,224,224"), or empty to
    /// cancel.
    void setInputShapeQuestion(std::function<QString(const QString& model)> question);
    /// Replaces how the window's own dialogs run (the data dialog, New from Built-in; tests fill
    /// them in): return true to take the dialog's choice. By default each runs modally, and only
    /// while the window is visible.
    void setDialogRunner(std::function<bool(QDialog& dialog)> runner);
    /// Evaluate the model in the background after each edit (on by default).
    void setAutoEvaluate(bool on);

    // Jobs, as the toolbar and menus start them (dialogs collect the settings first).
    bool startFineTune(const FineTuneSettings& settings);
    bool startIterate(const IterateSettings& settings);
    bool startSweep(const SweepSettings& settings);
    bool startDistill(const DistillSettings& settings);
    bool startEvaluate();
    bool startSensitivity();
    /// Removes the pruned channels for real (a compacted copy) and times dense, masked and
    /// compacted models side by side in the Compaction dock.
    bool startCompact();
    /// Help ▸ Lesson: (re)starts the lesson at its first step in the Lesson dock.
    void startLesson();
    /// Presentation mode: the window's text 1.6× larger, the curves thicker (a projector).
    void setPresentationMode(bool on);
    LessonPanel* lesson() const { return m_lesson; }
    /// Commits the shown masks into the base (no training).
    void applyMasks();
    void stopJob();
    void resetToDense();
    JobController* jobs() const { return m_jobs; }

    Session* session() const;
    SessionDocument* document() const { return m_document; }
    LayerTableModel* layerModel() const { return m_layerModel; }
    QTableView* layerTable() const { return m_layerTable; }
    ImportanceHistogramView* histogramView() const { return m_histogram; }
    HistogramOverview* overview() const { return m_overview; }
    HeadGrid* headGrid() const { return m_heads; }
    /// Bins the histograms over log10(score) (magnitudes spread over decades).
    void setLogScoreAxis(bool on);
    AccuracyCurveView* curveView() const { return m_curves; }
    TrainingCurveView* trainingView() const { return m_training; }
    CompactionView* compactionView() const { return m_compaction; }
    QUndoStack* undoStack() const;
    /// The last "what changed" note.
    QString changeNote() const;
    /// Selects a layer row and shows its histogram.
    void selectLayer(int row);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // main_window.cpp: construction (menus and toolbar in main_window_actions.cpp)
    void buildDocks();
    void buildMenus();
    void buildToolBar();
    void buildStatusBar();
    void showOpenModelDialog();
    void showOpenDataDialog();
    void showNewFromBuiltinDialog();
    bool adoptSession(std::unique_ptr<Session> opened, const QString& label);
    void refresh();
    void updateStatus(const ModelInfo& info);
    void updatePipeline();
    void showCompaction();
    void updateCriterionHelp();
    void setModified(bool modified);
    void updateTitle();

    // main_window_edit.cpp: thresholds, rates, locks
    double lineFor(const LayerPruneState& state) const;
    void showHistogram(int row);
    /// Re-bins every layer's scores for the overview (after scoring) and shows the thresholds.
    void refreshOverview();
    /// The Heads view: every attention layer's heads at head granularity, else empty.
    void refreshHeads();
    void onHeadCut(const QString& layer, double threshold);
    void updateOverviewThresholds();
    /// Histogram x units <-> scores (log10 when the log score axis is on).
    double toAxis(double score) const;
    double fromAxis(double x) const;
    void onThresholdDragged(double threshold);
    void onThresholdDragFinished();
    void onGlobalRateChanged(double rate, bool dragging);
    /// The ranking button changed: the session ranks the next global rate so, and a global rate
    /// that was the last edit is ranked again.
    void onGlobalRankingChanged();
    /// The ranking button's choice, as the session takes it.
    GlobalRankingSettings rankingSettings() const;
    void onRateEdited(const QString& layer, double rate);
    void onLockedToggled(const QString& layer, bool locked);
    void onExcludedToggled(const QString& layer, bool excluded);
    void rescore();
    /// After new scores (scoring, a job that changed the model, reset): controls, histograms,
    /// rows.
    void onScoresChanged();
    /// After another model or project was adopted: every view from scratch.
    void onModelChanged();
    /// Runs a window action; an exception goes to the error handler. False after one.
    bool guarded(const std::function<void()>& action, const QString& context = {});
    void syncGlobalRateControls();
    /// After any edit: table rows in place, histogram line and summary, status.
    void refreshAfterEdit();
    QString selectedLayer() const;
    /// Snapshot for "what changed" before an action.
    void noteBefore(const QString& action);
    void noteAfter(const QString& detail = {});

    // main_window_lesson.cpp
    /// Explains what a job of the lesson's current step produced.
    void updateLessonResult(JobKind kind, bool cancelled);
    void setLessonRate(double rate);
    /// The toolbar button of an action (the control a lesson step highlights).
    QWidget* actionWidget(const QString& actionName) const;
    LessonPanel* m_lesson = nullptr;
    std::optional<QFont> m_normalFont; ///< the application font before presentation mode
    QDockWidget* m_lessonDock = nullptr;
    std::optional<double> m_lessonPruned;

    // main_window_jobs.cpp
    /// `detail` joins the job's title in its run's name ("Sweep l1, random · 14:05").
    bool startJob(std::unique_ptr<SessionJob> job, const QString& detail = {});
    void onJobStarted(const QString& title);
    void onJobEvent(const JobEvent& event);
    void onJobRan(std::shared_ptr<SessionJob> job, const QString& error);
    void onJobFinished(JobKind kind, bool cancelled);
    void setEditingEnabled(bool enabled);
    void scheduleEvaluate();
    void showFineTuneDialog();
    /// Fine-tune settings for training from scratch (more epochs, a higher learning rate).
    void showTrainDialog();
    void showIterateDialog();
    void showSweepDialog();
    void showDistillDialog();

    SessionDocument* m_document = nullptr;
    JobController* m_jobs = nullptr;
    LayerTableModel* m_layerModel = nullptr;
    QTableView* m_layerTable = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_jobLabel = nullptr;
    QProgressBar* m_jobProgress = nullptr;
    QToolButton* m_stopButton = nullptr;
    ImportanceHistogramView* m_histogram = nullptr;
    HistogramOverview* m_overview = nullptr;
    HeadGrid* m_heads = nullptr;
    std::function<bool()> m_resetQuestion;
    /// The running job's run in the Curves dock, and its series names: a second sweep of the
    /// same criterion gets "l1 (2)" rather than merging its points into the first's series.
    QString m_runName;
    QSet<QString> m_seriesBeforeRun;
    QMap<QString, QString> m_runSeries;
    QString runSeriesName(const QString& base);
    bool m_logX = false;
    AccuracyCurveView* m_curves = nullptr;
    TrainingCurveView* m_training = nullptr;
    QTextBrowser* m_criterionHelp = nullptr;
    QLabel* m_changeNote = nullptr;
    PipelineStrip* m_pipeline = nullptr;
    int m_histogramRow = -1;
    QComboBox* m_criterion = nullptr;
    QComboBox* m_granularity = nullptr;
    QSlider* m_globalSlider = nullptr;
    QDoubleSpinBox* m_globalSpin = nullptr;
    GlobalRankingButton* m_ranking = nullptr;
    QList<QAction*> m_editActions; ///< disabled while a job changes the model
    QAction* m_stopAction = nullptr;
    QAction* m_autoAllocateAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QTimer* m_evaluateTimer = nullptr;
    CompactionView* m_compaction = nullptr;
    QDockWidget* m_compactionDock = nullptr;
    bool m_autoEvaluate = true;
    bool m_modified = false;
    QString m_projectPath;
    qint64 m_trainStepOffset = 0;
    struct Before
    {
        QString action;
        qint64 params = 0;
        qint64 flops = 0;
        double sparsity = 0.0;
        std::optional<double> accuracy;
        bool waitingForAccuracy = false;
        QString detail;
    } m_before;
    std::function<void(const QString&)> m_errorHandler;
    std::function<int()> m_closeQuestion;
    std::function<QString(const QString&)> m_inputShapeQuestion;
    std::function<bool(QDialog&)> m_runDialog;

    void updateRecentMenu();
    void addRecent(const QString& path);
    /// main_window_project.cpp: the project files at `path`, with `extra` keys in its JSON.
    /// Returns the error, empty on success; changes nothing of the window's state.
    QString writeProject(const QString& path, const QJsonObject& extra);
    /// Opens a project's session and views without taking its path as the window's.
    bool loadProject(const QString& path, const QString& label = {});
    // main_window_recovery.cpp
    std::unique_ptr<RecoveryStore> m_recovery;
    QTimer* m_autosaveTimer = nullptr;
    bool askToRecover(const QDateTime& saved, const QString& original);
    std::function<bool(const QString&, const QStringList&)> m_outsidePathsQuestion;
    bool askToOpenOutside(const QString& project, const QStringList& files);
    std::function<bool(const QDateTime&, const QString&)> m_recoveryQuestion;
};

} // namespace prunelab
