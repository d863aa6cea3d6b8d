#pragma once

#include <QString>

namespace prunelab {

/// A short explanation of a criterion at a granularity, with its formula, for the Criterion
/// dock: what is scored, what gets pruned first, what it costs.
QString criterionHelpHtml(const QString& criterion, const QString& granularity);

} // namespace prunelab
