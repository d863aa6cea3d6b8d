#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace prunelab {

/// One model in the comparison (dense, masked, compacted).
struct CompactionRow
{
    QString label;
    qint64 params = 0;
    qint64 nonzero = 0;
    qint64 flops = 0;
    double latencyMs1 = 0.0;
    double latencyMs64 = 0.0;
};

/// Dense vs masked vs compacted, side by side: parameters, nonzero weights, multiply-
/// accumulates, latency at batch 1 and 64, and speedups against the first row; under it which
/// channel groups shrank and any notes. A "Save compacted model…" button asks the owner to
/// write it. Takes plain data: the app converts the engine's report.
class CompactionView : public QWidget
{
    Q_OBJECT
public:
    explicit CompactionView(QWidget* parent = nullptr);

    /// Shows a comparison; `canSave` enables the save button (a compacted model exists).
    void setComparison(const std::vector<CompactionRow>& rows, const QStringList& groups,
                       const QStringList& notes, bool canSave);
    /// Back to the "nothing compacted yet" hint (after the model changed).
    void clear(const QString& hint);
    /// Empty, with the first hint (what Compact does): another model was opened.
    void reset();
    /// Text of a cell, for tests: row, column as shown.
    QString cellText(int row, int column) const;
    int rowCount() const;
    /// The groups removed and the notes under the table, as shown.
    QString notesText() const;

signals:
    void saveRequested();

private:
    QTableWidget* m_table = nullptr;
    QLabel* m_details = nullptr;
    QPushButton* m_save = nullptr;
};

} // namespace prunelab
