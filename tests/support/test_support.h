#pragma once

// Fixtures shared by the test suites: temporary directories, small data, tensor comparison.

#include "engine/data/dataset.h"

#include <ATen/Tensor.h>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <string>

namespace prunelab::test {

/// True when Debian's dataset-fashion-mnist is installed (tests that need it QSKIP otherwise).
bool fashionMnistAvailable();

/// A deterministic, learnable synthetic set of `[channels, size, size]` samples.
DataSplits smallSynthetic(int64_t trainSize = 256, int64_t testSize = 128, int64_t channels = 1,
                          int64_t size = 28, uint64_t seed = 3);

/// max |a - b| <= tolerance, with equal shapes.
bool allClose(const at::Tensor& a, const at::Tensor& b, double tolerance = 1e-6);

/// Writes bytes to a file, for building corrupt inputs.
void writeBytes(const QString& path, const std::string& bytes);
std::string readBytes(const QString& path);

/// `ms` times $PRUNELAB_TEST_TIME_SCALE (default 1): sanitizer builds run everything several
/// times slower, and every wait in the tests stretches with them (scripts/sanitize.sh sets it).
int scaledTimeout(int ms);

/// Runs the real prunelab-cli. Returns the exit code (-1 killed after `timeoutMs`, -2 crashed,
/// both also said in `err`); fills stdout and stderr. The timeout is generous: CI machines run
/// suites in parallel on two cores.
int runCli(const QStringList& args, QString* out = nullptr, QString* err = nullptr,
           int timeoutMs = 300000);

/// Runs Debian's /usr/bin/python3 (which has torch) with `args`; sets `exitCode` (-1 when it
/// did not finish within five minutes) and returns its stdout and stderr, trimmed.
QString runPython(const QStringList& args, int* exitCode);

/// Runs `action` and returns the message of the prunelab::Error it throws (empty if none).
QString errorOf(const std::function<void()>& action);

/// The last line of a command's stdout, for `--json` output.
QString lastLine(const QString& text);
/// That line parsed as a JSON object (empty when it is not one).
QJsonObject lastJson(const QString& text);

} // namespace prunelab::test
