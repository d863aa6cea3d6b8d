#include "app/gui/criterion_help.h"

#include <QObject>

namespace prunelab {
namespace {

struct Help
{
    const char* name;
    const char* weight; ///< formula at weight granularity (HTML)
    const char* unit;   ///< formula for a neuron or filter
    const char* idea;
    bool needsData;
};

const Help kHelp[] = {
    {"l1", "s<sub>ij</sub> = |w<sub>ij</sub>|",
     "s<sub>i</sub> = &Sigma;<sub>j</sub> |w<sub>ij</sub>| (the row's L1 norm)",
     "Magnitude pruning: small weights change the output least, so they go first. Free to "
     "compute, and the usual baseline.",
     false},
    {"l2", "s<sub>ij</sub> = |w<sub>ij</sub>|",
     "s<sub>i</sub> = &radic;(&Sigma;<sub>j</sub> w<sub>ij</sub><sup>2</sup>) (the row's L2 norm)",
     "Like l1; at unit level the L2 norm weighs a few large weights more than many small ones.",
     false},
    {"random", "s<sub>ij</sub> ~ U(0, 1)", "s<sub>i</sub> ~ U(0, 1)",
     "A control: any criterion worth using must beat it. Seeded, so runs repeat.", false},
    {"activation", "—",
     "s<sub>i</sub> = mean<sub>x</sub> a<sub>i</sub>(x) (before the nonlinearity)",
     "Neuron pruning by activations: units that barely respond to the data contribute little. "
     "Needs calibration batches.",
     true},
    {"activation-abs", "—", "s<sub>i</sub> = mean<sub>x</sub> |a<sub>i</sub>(x)|",
     "As activation, with the magnitude of the response (a strongly negative unit still matters).",
     true},
    {"gradient", "s<sub>ij</sub> = mean<sub>batches</sub> |&part;L/&part;w<sub>ij</sub>|",
     "s<sub>i</sub> = mean<sub>x</sub> &#8214;&part;L/&part;a<sub>i</sub>&#8214;",
     "How much the loss reacts to a weight or unit right now. Needs calibration batches with "
     "labels (a backward pass each).",
     true},
    {"taylor", "s<sub>ij</sub> = mean |w<sub>ij</sub> &middot; &part;L/&part;w<sub>ij</sub>|",
     "s<sub>i</sub> = mean<sub>x</sub> |&Sigma;<sub>positions</sub> a<sub>i</sub> &middot; "
     "&part;L/&part;a<sub>i</sub>|",
     "First-order Taylor estimate of the loss change when the element is removed (Molchanov et "
     "al.). Needs calibration batches.",
     true},
    {"wanda", "s<sub>ij</sub> = |w<sub>ij</sub>| &middot; &#8214;X<sub>j</sub>&#8214;<sub>2</sub>",
     "—",
     "Wanda (Sun et al. 2023): a weight matters as much as its magnitude times the size of the "
     "input it multiplies, over the calibration samples (and tokens or positions). Compare "
     "within each output row (Per row) and prune once, with no weight update; the outlier "
     "inputs of transformers keep their weights. Needs calibration batches, no labels.",
     true},
};

} // namespace

QString criterionHelpHtml(const QString& criterion, const QString& granularity)
{
    for (const Help& h : kHelp) {
        if (criterion != QLatin1String(h.name))
            continue;
        const bool unit = granularity != QLatin1String("weight");
        const QString what =
            granularity == QLatin1String("neuron")
                ? QObject::tr("whole neurons (rows of a Linear layer)")
            : granularity == QLatin1String("filter")
                ? QObject::tr("whole filters (output channels of a Conv2d layer, with "
                              "their bias, BatchNorm channel and the next layer's "
                              "inputs)")
            : granularity == QLatin1String("head")
                ? QObject::tr("whole attention heads (a head's rows of q, k and v summed, "
                              "with its columns of the output projection)")
                : QObject::tr("individual weights");
        QString html = QStringLiteral("<h3>%1 · %2</h3>").arg(criterion, granularity);
        html += QStringLiteral("<p style='font-size:large'>%1</p>")
                    .arg(QString::fromUtf8(unit ? h.unit : h.weight));
        html += QObject::tr("<p>Scores %1; the lowest scores are pruned first.</p>").arg(what);
        html += QStringLiteral("<p>%1</p>").arg(QString::fromUtf8(h.idea));
        if (h.needsData)
            html += QObject::tr("<p><i>Scoring runs on the worker thread over calibration batches "
                                "of the training data.</i></p>");
        if (!unit)
            html += QObject::tr("<p>Weight pruning makes the model sparse but not smaller; filter "
                                "and neuron pruning remove whole units.</p>");
        return html;
    }
    return QObject::tr("<p>No description for %1.</p>").arg(criterion.toHtmlEscaped());
}

} // namespace prunelab
