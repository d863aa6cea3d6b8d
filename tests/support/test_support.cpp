#include "support/test_support.h"

#include "engine/core/error.h"
#include "engine/data/synthetic_data.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>

#include <filesystem>

namespace prunelab::test {

bool fashionMnistAvailable()
{
    return std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
}

DataSplits smallSynthetic(int64_t trainSize, int64_t testSize, int64_t channels, int64_t size,
                          uint64_t seed)
{
    SyntheticSpec spec;
    spec.channels = channels;
    spec.height = size;
    spec.width = size;
    spec.train_size = trainSize;
    spec.test_size = testSize;
    spec.seed = seed;
    return make_synthetic(spec);
}

bool allClose(const at::Tensor& a, const at::Tensor& b, double tolerance)
{
    if (a.sizes() != b.sizes())
        return false;
    if (a.numel() == 0)
        return true;
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() <= tolerance;
}

void writeBytes(const QString& path, const std::string& bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes.data(), qint64(bytes.size()));
}

std::string readBytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = file.readAll();
    return std::string(data.constData(), size_t(data.size()));
}

int scaledTimeout(int ms)
{
    const double scale = qEnvironmentVariable("PRUNELAB_TEST_TIME_SCALE", "1").toDouble();
    return scale > 1.0 ? int(std::min(ms * scale, 2.0e9)) : ms;
}

QString runPython(const QStringList& args, int* exitCode)
{
    QProcess process;
    process.start("/usr/bin/python3", args);
    process.waitForFinished(scaledTimeout(300000));
    *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError())
        .trimmed();
}

int runCli(const QStringList& args, QString* out, QString* err, int timeoutMs)
{
    QProcess process;
    process.start(QStringLiteral(PRUNELAB_CLI_PATH), args);
    timeoutMs = scaledTimeout(timeoutMs);
    const bool finished = process.waitForFinished(timeoutMs);
    if (!finished) {
        process.kill();
        process.waitForFinished();
    }
    if (out)
        *out = QString::fromUtf8(process.readAllStandardOutput());
    if (err) {
        // Say why there is no exit code, so a failure on a loaded CI machine is diagnosable.
        *err = QString::fromUtf8(process.readAllStandardError());
        if (!finished)
            *err += QStringLiteral("\n[runCli: killed after %1 ms]").arg(timeoutMs);
        else if (process.exitStatus() != QProcess::NormalExit)
            *err += QStringLiteral("\n[runCli: crashed]");
    }
    if (!finished)
        return -1;
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
}

QString errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

QString lastLine(const QString& text)
{
    const QStringList lines = text.trimmed().split(QLatin1Char('\n'));
    return lines.isEmpty() ? QString() : lines.last();
}

QJsonObject lastJson(const QString& text)
{
    return QJsonDocument::fromJson(lastLine(text).toUtf8()).object();
}

} // namespace prunelab::test
