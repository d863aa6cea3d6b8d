#pragma once

#include <QString>

namespace prunelab {

class MainWindow;

/// Drives the real window through the states the README shows — the default view, a dragged
/// threshold, a finished sweep with two criteria, a fine-tune — and saves a PNG of each into
/// `directory`. Used by scripts/screenshots.sh under Xvfb. Returns 0 on success.
int runScreenshotTour(MainWindow& window, const QString& directory);

} // namespace prunelab
