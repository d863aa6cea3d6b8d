#pragma once

#include <QMainWindow>

#include <functional>
#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QTableView;
class QUndoStack;

namespace prunelab {

class ImportanceHistogramView;
struct LayerPruneState;
struct ModelInfo;
class LayerTableModel;
class Session;

/// The PruneLab main window. For now: the open model's layer table, a status line, and
/// File ▸ Open Model. Owns the open Session.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a MODEL argument (`default`, a built-in name, or a checkpoint path). On failure
    /// the error handler is told, the current session is kept, and false is returned.
    bool openModel(const QString& source);

    /// Replaces the modal error box (tests install a recorder).
    void setErrorHandler(std::function<void(const QString&)> handler);

    LayerTableModel* layerModel() const { return m_layerModel; }
    ImportanceHistogramView* histogramView() const { return m_histogram; }
    QUndoStack* undoStack() const { return m_undo; }
    /// Selects a layer row and shows its histogram.
    void selectLayer(int row);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void showOpenModelDialog();
    void refresh();
    void updateStatus(const ModelInfo& info);
    /// Where the histogram's line goes for a layer's state.
    double lineFor(const LayerPruneState& state) const;
    void showHistogram(int row);
    void onThresholdDragged(double threshold);
    void onThresholdDragFinished();
    /// Applies a threshold to a layer and refreshes every view of it (used by undo commands).
    void applyThreshold(const QString& layer, double threshold);
    void buildToolBar();
    void onGlobalRateChanged(double rate, bool dragging);
    void closeLastCommand();
    void rescore();
    /// After any edit: table rows in place, histogram line and summary, status.
    void refreshAfterEdit();
    QString selectedLayer() const;

    std::unique_ptr<Session> m_session;
    LayerTableModel* m_layerModel = nullptr;
    QTableView* m_layerTable = nullptr;
    QLabel* m_statusLabel = nullptr;
    ImportanceHistogramView* m_histogram = nullptr;
    int m_histogramRow = -1;
    QUndoStack* m_undo = nullptr;
    QComboBox* m_criterion = nullptr;
    QComboBox* m_granularity = nullptr;
    QSlider* m_globalSlider = nullptr;
    QDoubleSpinBox* m_globalSpin = nullptr;
    std::function<void(const QString&)> m_errorHandler;
};

} // namespace prunelab
