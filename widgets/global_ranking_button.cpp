#include "widgets/global_ranking_button.h"

#include <QAction>
#include <QActionGroup>
#include <QMenu>

#include <algorithm>
#include <cmath>

namespace prunelab {
namespace {

struct NormalizerChoice
{
    const char* name;
    const char* text;
};

// Torch-Pruning's normalizers; "auto" is the one that suits the granularity.
constexpr NormalizerChoice kNormalizers[] = {
    {"auto",
     QT_TRANSLATE_NOOP("GlobalRankingButton", "Automatic (layer mean for units, raw for weights)")},
    {"mean", QT_TRANSLATE_NOOP("GlobalRankingButton", "Divide by the Layer's Mean")},
    {"max", QT_TRANSLATE_NOOP("GlobalRankingButton", "Divide by the Layer's Maximum")},
    {"l2", QT_TRANSLATE_NOOP("GlobalRankingButton", "Divide by the Layer's L2 Norm")},
    {"none", QT_TRANSLATE_NOOP("GlobalRankingButton", "Raw Scores")},
};

bool sameRate(double a, double b)
{
    return std::abs(a - b) < 1e-9;
}

} // namespace

GlobalRankingButton::GlobalRankingButton(QWidget* parent) : QToolButton(parent)
{
    setPopupMode(QToolButton::InstantPopup);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* menu = new QMenu(this);
    menu->setToolTipsVisible(true);
    menu->addSection(tr("Rank Layers By"));
    m_normalizers = new QActionGroup(this);
    for (const auto& choice : kNormalizers) {
        QAction* action = menu->addAction(tr(choice.text));
        action->setCheckable(true);
        action->setData(QString::fromLatin1(choice.name));
        action->setObjectName(QStringLiteral("normalizer_") + QLatin1String(choice.name));
        m_normalizers->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, action] { choose(action->data().toString(), m_maxLayerRate); });
    }
    menu->addSection(tr("Most One Layer May Lose"));
    m_rates = new QActionGroup(this);
    for (double rate : maxLayerRates()) {
        QAction* action = menu->addAction(
            rate < 0.0    ? tr("Automatic (90% for units, no limit for weights)")
            : rate >= 1.0 ? tr("No Limit")
                          : QString::number(rate * 100.0, 'f', 0) + QLatin1Char('%'));
        action->setCheckable(true);
        action->setData(rate);
        action->setObjectName(rate < 0.0 ? QStringLiteral("maxLayerRate_auto")
                                         : QStringLiteral("maxLayerRate_") +
                                               QString::number(int(std::lround(rate * 100.0))));
        m_rates->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, action] { choose(m_normalizer, action->data().toDouble()); });
    }
    setMenu(menu);
    setToolTip(tr("How a global rate ranks layers against each other. Raw filter norms grow with "
                  "a layer's fan-in, so ranking them raw empties early layers first; dividing "
                  "each layer's scores by its mean ranks every layer on the same scale. No "
                  "layer loses more than the limit unless the global rate itself is higher."));
    updateText();
}

QList<double> GlobalRankingButton::maxLayerRates()
{
    return {kAutomatic, 0.5, 0.75, 0.9, 0.95, 1.0};
}

void GlobalRankingButton::setRanking(const QString& normalizer, double maxLayerRate)
{
    const bool known =
        std::any_of(std::begin(kNormalizers), std::end(kNormalizers),
                    [&](const NormalizerChoice& c) { return normalizer == QLatin1String(c.name); });
    m_normalizer = known ? normalizer : QStringLiteral("auto");
    m_maxLayerRate = std::isfinite(maxLayerRate) && maxLayerRate >= 0.0
                         ? std::min(maxLayerRate, 1.0)
                         : kAutomatic;
    updateText();
}

void GlobalRankingButton::choose(const QString& normalizer, double maxLayerRate)
{
    if (normalizer == m_normalizer && sameRate(maxLayerRate, m_maxLayerRate))
        return;
    setRanking(normalizer, maxLayerRate);
    emit rankingChanged();
}

void GlobalRankingButton::updateText()
{
    for (QAction* action : m_normalizers->actions())
        action->setChecked(action->data().toString() == m_normalizer);
    for (QAction* action : m_rates->actions())
        action->setChecked(sameRate(action->data().toDouble(), m_maxLayerRate));
    if (m_normalizer == QLatin1String("auto") && m_maxLayerRate < 0.0) {
        setText(tr("Ranked: auto"));
        return;
    }
    const QString limit =
        m_maxLayerRate < 0.0 ? tr("auto limit")
        : m_maxLayerRate >= 1.0
            ? tr("no limit")
            : tr("≤ %1/layer")
                  .arg(QString::number(m_maxLayerRate * 100.0, 'g', 3) + QLatin1Char('%'));
    setText(tr("Ranked: %1, %2").arg(m_normalizer, limit));
}

} // namespace prunelab
