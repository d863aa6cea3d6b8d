#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace prunelab {

struct DistillSettings;
struct FineTuneSettings;
struct IterateSettings;
struct SweepSettings;

/// Small modal forms for the settings of each job; they edit `settings` in place and return
/// false when cancelled.
bool runFineTuneDialog(QWidget* parent, FineTuneSettings& settings,
                       const QString& title = QObject::tr("Fine-tune"));
bool runIterateDialog(QWidget* parent, IterateSettings& settings);
bool runSweepDialog(QWidget* parent, SweepSettings& settings);
bool runDistillDialog(QWidget* parent, DistillSettings& settings);

} // namespace prunelab
