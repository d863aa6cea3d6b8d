#pragma once

#include <QString>
#include <QToolButton>

class QActionGroup;

namespace prunelab {

/// The toolbar button beside the global rate that says, and lets the user choose, how a global
/// rate ranks layers against each other: what each layer's scores are divided by first
/// ("auto", "none", "l2", "max", "mean") and the most any one layer may lose. Plain data in,
/// rankingChanged out; the app applies it.
class GlobalRankingButton : public QToolButton
{
    Q_OBJECT
public:
    explicit GlobalRankingButton(QWidget* parent = nullptr);

    /// kAutomatic for the granularity's own limit (90% for units, none for weights).
    static constexpr double kAutomatic = -1.0;

    QString normalizer() const { return m_normalizer; }
    double maxLayerRate() const { return m_maxLayerRate; }
    /// Shows a ranking without emitting rankingChanged (a project or model being opened).
    /// Unknown normalizers fall back to "auto"; rates are clamped to [0, 1], and a negative or
    /// non-finite one means kAutomatic.
    void setRanking(const QString& normalizer, double maxLayerRate);

    /// The menu entries' rates (kAutomatic first, 1.0 is "no limit").
    static QList<double> maxLayerRates();

signals:
    void rankingChanged();

private:
    void choose(const QString& normalizer, double maxLayerRate);
    void updateText();

    QString m_normalizer = QStringLiteral("auto");
    double m_maxLayerRate = kAutomatic;
    QActionGroup* m_normalizers = nullptr;
    QActionGroup* m_rates = nullptr;
};

} // namespace prunelab
