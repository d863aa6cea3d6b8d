#pragma once

// Header-only helpers for the window's tests (the support library itself links no app code).

#include "app/gui/main_window.h"

#include <QDoubleSpinBox>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QtTest>

namespace prunelab::test {

/// No background evaluation, and any error box fails the test.
inline void quietWindow(MainWindow& window)
{
    window.setAutoEvaluate(false);
    window.setErrorHandler([](const QString& e) { QFAIL(qPrintable(e)); });
}

/// Types a global rate (percent) into the spin box and leaves it, as a person does.
inline void typeGlobalRate(MainWindow& window, double percent)
{
    auto* spin = window.findChild<QDoubleSpinBox*>("globalRateSpin");
    spin->setValue(percent);
    emit spin->editingFinished();
}

/// A TorchScript MLP of 64 features made by Python's torch (no stored input shape); false
/// when python3-torch cannot make it.
inline bool makeScriptedMlp(const QString& path)
{
    QProcess python;
    python.start("/usr/bin/python3",
                 {"-c",
                  "import sys, torch, torch.nn as nn; torch.jit.script(nn.Sequential("
                  "nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))).save(sys.argv[1])",
                  path});
    python.waitForFinished(120000);
    return python.exitCode() == 0 && QFile::exists(path);
}

} // namespace prunelab::test
