#pragma once

class QWidget;

namespace prunelab {

struct DistillSettings;
struct FineTuneSettings;
struct IterateSettings;
struct SweepSettings;

/// Small modal forms for the settings of each job; they edit `settings` in place and return
/// false when cancelled.
bool runFineTuneDialog(QWidget* parent, FineTuneSettings& settings);
bool runIterateDialog(QWidget* parent, IterateSettings& settings);
bool runSweepDialog(QWidget* parent, SweepSettings& settings);
bool runDistillDialog(QWidget* parent, DistillSettings& settings);

} // namespace prunelab
