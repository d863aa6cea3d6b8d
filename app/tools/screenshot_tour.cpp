#include "app/tools/screenshot_tour.h"
#include "widgets/layer_table_model.h"

#include "app/gui/job_controller.h"
#include "app/gui/main_window.h"
#include "engine/session/session.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/lesson_panel.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QMouseEvent>
#include <QThread>
#include <qcustomplot.h>

#include <cstdio>
#include <functional>

namespace prunelab {
namespace {

/// Processes events until `done` or the timeout; false on timeout.
bool waitFor(const std::function<bool()>& done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    return true;
}

void settle(int ms)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired()) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(10);
    }
}

bool save(MainWindow& window, const QDir& dir, const QString& name)
{
    settle(300);
    const QString path = dir.filePath(name);
    const bool ok = window.grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "FAILED to write", qPrintable(path));
    return ok;
}

void raiseDock(MainWindow& window, const char* name)
{
    if (auto* dock = window.findChild<QDockWidget*>(QString::fromLatin1(name)))
        dock->raise();
}

/// Drags the histogram's threshold line with real mouse events to `fraction` of the score range.
void dragThreshold(ImportanceHistogramView* view, double fraction)
{
    QWidget* plot = view->plot();
    const auto& h = view->histogram();
    const double lo = h.binLefts.front();
    const double hi = h.binLefts.back() + h.binWidth;
    const int y = plot->height() / 2;
    auto send = [&](QEvent::Type type, int x, Qt::MouseButton b, Qt::MouseButtons bs) {
        QMouseEvent e(type, QPointF(x, y), plot->mapToGlobal(QPointF(x, y)), b, bs, Qt::NoModifier);
        QApplication::sendEvent(plot, &e);
    };
    const int from = view->pixelForScore(view->threshold());
    const int to = view->pixelForScore(lo + fraction * (hi - lo));
    send(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    for (int step = 1; step <= 12; ++step) {
        send(QEvent::MouseMove, from + (to - from) * step / 12, Qt::NoButton, Qt::LeftButton);
        QApplication::processEvents();
    }
    send(QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
}

} // namespace

int runScreenshotTour(MainWindow& window, const QString& directory)
{
    QDir dir(directory);
    if (!dir.mkpath(QStringLiteral("."))) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(directory));
        return 1;
    }
    window.resize(1360, 820);
    window.show();
    if (!window.session() || !waitFor([&] { return window.isVisible(); }, 5000))
        return 1;
    bool ok = save(window, dir, QStringLiteral("01-default.png"));

    // A threshold dragged on fc1, with the accuracy measured in the background.
    window.selectLayer(2);
    settle(200);
    dragThreshold(window.histogramView(), 0.35);
    waitFor([&] { return window.session()->accuracy().has_value(); }, 60000);
    ok = save(window, dir, QStringLiteral("02-threshold-drag.png")) && ok;

    // A sweep of two criteria over the whole test set.
    SweepSettings sweep;
    sweep.criteria = {"l1", "random"};
    sweep.sparsities = {0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    if (!window.startSweep(sweep) || !waitFor([&] { return !window.jobs()->isBusy(); }, 300000))
        return 1;
    raiseDock(window, "curvesDock");
    ok = save(window, dir, QStringLiteral("03-sweep-two-criteria.png")) && ok;

    // 80% global, then a fine-tune of two epochs with live curves.
    auto* spin = window.findChild<QDoubleSpinBox*>(QStringLiteral("globalRateSpin"));
    spin->setValue(80.0);
    emit spin->editingFinished();
    waitFor([&] { return window.session()->accuracy().has_value(); }, 60000);
    FineTuneSettings finetune;
    finetune.epochs = 2;
    if (!window.startFineTune(finetune) ||
        !waitFor([&] { return !window.jobs()->isBusy(); }, 600000))
        return 1;
    raiseDock(window, "trainingDock");
    ok = save(window, dir, QStringLiteral("04-fine-tune.png")) && ok;

    // Half of every layer's filters (and fc1's neurons) from the dense model, compacted: dense,
    // masked and compacted side by side. (Nobody is there to answer "discard the fine-tuned
    // weights?".)
    window.setResetQuestion([] { return true; });
    window.resetToDense();
    auto* granularity = window.findChild<QComboBox*>(QStringLiteral("granularityCombo"));
    auto* layers = window.layerModel();
    for (const char* g : {"filter", "neuron"}) {
        granularity->setCurrentText(QString::fromLatin1(g));
        for (int row = 0; row < layers->totalsRow(); ++row)
            if (layers->flags(layers->index(row, LayerTableModel::RateColumn)) & Qt::ItemIsEditable)
                layers->setData(layers->index(row, LayerTableModel::RateColumn),
                                QStringLiteral("50"));
        window.applyMasks();
    }
    if (!window.startCompact() || !waitFor([&] { return !window.jobs()->isBusy(); }, 120000))
        return 1;
    raiseDock(window, "compactionDock");
    if (auto* dock = window.findChild<QDockWidget*>(QStringLiteral("compactionDock")))
        window.resizeDocks({dock}, {640}, Qt::Horizontal);
    settle(300);
    ok = save(window, dir, QStringLiteral("05-compaction.png")) && ok;

    // File ▸ New from Built-in: the zoo, as the dialog shows it.
    window.setDialogRunner([&](QDialog& dialog) {
        dialog.show();
        settle(300);
        const QString path = dir.filePath(QStringLiteral("06-new-from-builtin.png"));
        ok = dialog.grab().save(path) && ok;
        std::fprintf(stderr, "wrote %s\n", qPrintable(path));
        return false; // cancelled: the model stays
    });
    window.findChild<QAction*>(QStringLiteral("actionNewFromBuiltin"))->trigger();

    // Help ▸ Lesson at its pruning step, with the result explained.
    window.startLesson();
    LessonPanel* lesson = window.lesson();
    lesson->runAction(); // opens the trained default model
    for (int step = 0; step < 4; ++step)
        lesson->next();
    lesson->runAction(); // 80% of the weights, one-shot, then measured
    waitFor([&] { return !lesson->resultText().isEmpty(); }, 60000);
    settle(300);
    ok = save(window, dir, QStringLiteral("07-lesson.png")) && ok;
    return ok ? 0 : 1;
}

} // namespace prunelab
