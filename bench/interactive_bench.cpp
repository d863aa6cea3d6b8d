// Interactive speed of the real window (offscreen): a threshold drag step on the seed ConvNet,
// a global-rate change on ResNet-18, and startup to a shown, populated window. Each timing
// includes the engine work and the repaint of the table and the histogram (processEvents).
//
//   prunelab_bench_interactive drag [moves]     -> median ms per drag move (ConvNet, fc1)
//   prunelab_bench_interactive global [changes] -> median ms per global-rate change (ResNet-18)
//   prunelab_bench_interactive startup          -> ms from main() to a populated, shown window
//   prunelab_bench_interactive open MODEL       -> ms to open a (large) model: engine, window

#include "app/gui/main_window.h"
#include "engine/core/blas_threads.h"
#include "engine/session/session.h"
#include "widgets/importance_histogram_view.h"
#include "widgets/layer_table_model.h"

#include <QApplication>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QTableView>
#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

void report(const char* what, const std::vector<double>& ms)
{
    std::printf("%s: median %.2f ms, min %.2f ms, max %.2f ms over %zu\n", what, median(ms),
                *std::min_element(ms.begin(), ms.end()), *std::max_element(ms.begin(), ms.end()),
                ms.size());
}

int dragBench(prunelab::MainWindow& window, int moves)
{
    window.openModel(QStringLiteral("default"));
    window.show();
    QApplication::processEvents();
    window.selectLayer(2); // fc1: 16,000 weights
    auto* view = window.histogramView();
    QWidget* plot = view->plot();
    view->plot()->replot();
    QApplication::processEvents();
    const auto& h = view->histogram();
    const double lo = h.binLefts.front();
    const double hi = h.binLefts.back() + h.binWidth;
    const int y = plot->height() / 2;
    auto send = [&](QEvent::Type type, int x, Qt::MouseButton b, Qt::MouseButtons bs) {
        QMouseEvent e(type, QPointF(x, y), plot->mapToGlobal(QPointF(x, y)), b, bs, Qt::NoModifier);
        QApplication::sendEvent(plot, &e);
    };
    const int x0 = view->pixelForScore(lo);
    const int x1 = view->pixelForScore(lo + 0.8 * (hi - lo));
    send(QEvent::MouseButtonPress, view->pixelForScore(view->threshold()), Qt::LeftButton,
         Qt::LeftButton);
    std::vector<double> ms;
    QElapsedTimer timer;
    for (int i = 0; i < moves; ++i) {
        const int x = x0 + (x1 - x0) * ((i * 7) % moves) / moves; // back and forth across the range
        timer.start();
        send(QEvent::MouseMove, x, Qt::NoButton, Qt::LeftButton);
        QApplication::processEvents(); // table repaint, queued histogram replot
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    send(QEvent::MouseButtonRelease, x1, Qt::LeftButton, Qt::NoButton);
    std::printf("layer fc1 (%lld weights), summary after: %s\n", (long long)h.total,
                qPrintable(view->prunedSummaryText()));
    report("drag move (ConvNet fc1)", ms);
    return 0;
}

int globalBench(prunelab::MainWindow& window, int changes)
{
    QElapsedTimer open;
    open.start();
    if (!window.openModel(QStringLiteral("resnet18")))
        return 1;
    std::printf("open + score resnet18: %.0f ms\n", double(open.nsecsElapsed()) / 1e6);
    window.show();
    QApplication::processEvents();
    auto* spin = window.findChild<QDoubleSpinBox*>(QStringLiteral("globalRateSpin"));
    std::vector<double> ms;
    QElapsedTimer timer;
    for (int i = 0; i < changes; ++i) {
        const double rate = 10.0 + (i * 37) % 85; // 10..94 %, a new value each time
        spin->setValue(rate);
        timer.start();
        emit spin->editingFinished();
        QApplication::processEvents();
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    const auto* model = window.layerModel();
    std::printf(
        "resnet18: %d layers, total sparsity after: %s\n", int(model->layers().size()),
        qPrintable(model->index(model->totalsRow(), prunelab::LayerTableModel::SparsityColumn)
                       .data()
                       .toString()));
    report("global-rate change (ResNet-18, 11.7M weights)", ms);
    if (qEnvironmentVariableIsSet("PRUNELAB_BENCH_BREAKDOWN")) {
        std::vector<double> engine, info;
        for (int i = 0; i < changes; ++i) {
            timer.start();
            window.session()->set_global_rate(0.1 + 0.01 * ((i * 37) % 85));
            engine.push_back(double(timer.nsecsElapsed()) / 1e6);
            timer.start();
            (void)window.session()->info();
            info.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        report("  of which Session::set_global_rate", engine);
        report("  of which Session::info", info);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PruneLabBench"));
    QApplication::setApplicationName(QStringLiteral("interactive"));
    prunelab::use_all_cores();
    const QString mode = argc > 1 ? QString::fromLatin1(argv[1]) : QStringLiteral("drag");
    const int count = argc > 2 ? std::max(1, atoi(argv[2])) : 0;
    prunelab::MainWindow window;
    window.setAutoEvaluate(false); // measure the edit, not a background evaluation
    window.resize(1360, 820);
    if (mode == QLatin1String("startup")) {
        window.openModel(QStringLiteral("default"));
        window.show();
        QApplication::processEvents();
        std::printf("startup to a shown, populated window: %.0f ms (in process, from main)\n",
                    double(sinceMain.nsecsElapsed()) / 1e6);
        return window.layerModel()->layers().isEmpty() ? 1 : 0;
    }
    if (mode == QLatin1String("open") && argc > 2) {
        // A large model made in Python (scripted ViT-B/16): the engine's part (load, trace,
        // l1 scores) and the whole of File > Open to a shown window.
        QElapsedTimer timer;
        timer.start();
        auto session = prunelab::Session::open(argv[2]);
        const double opened = double(timer.nsecsElapsed()) / 1e6;
        session->score("l1", "weight");
        const double scored = double(timer.nsecsElapsed()) / 1e6;
        session.reset();
        timer.restart();
        const bool ok = window.openModel(QString::fromLocal8Bit(argv[2]));
        window.show();
        QApplication::processEvents();
        std::printf("open %s: Session::open %.0f ms, + l1 scores %.0f ms; window openModel to "
                    "shown %.0f ms\n",
                    argv[2], opened, scored - opened, double(timer.nsecsElapsed()) / 1e6);
        return ok ? 0 : 1;
    }
    if (mode == QLatin1String("global"))
        return globalBench(window, count ? count : 25);
    return dragBench(window, count ? count : 300);
}
