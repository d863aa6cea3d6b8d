#include "app/cli/plot_output.h"

#include "app/cli/command_line.h"
#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/number_list.h"
#include "widgets/curve_plot_export.h"

#include <QApplication>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

namespace prunelab::cli {
namespace {

void ensure_application()
{
    if (QApplication::instance())
        return;
    // The CLI draws plots without a window: use the offscreen platform unless a display is set.
    if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") &&
        !std::getenv("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "prunelab-cli";
    static char* argv[] = {name, nullptr};
    static std::unique_ptr<QApplication> app = std::make_unique<QApplication>(argc, argv);
}

QVector<double> to_qvector(const std::vector<double>& values)
{
    return QVector<double>(values.begin(), values.end());
}

} // namespace

void write_curve_plot(const CurvePlotRequest& request, const std::string& path)
{
    check_output_path(path);
    ensure_application();
    CurvePlotSpec spec;
    spec.title = QString::fromStdString(request.title);
    spec.xLabel = QString::fromStdString(request.x_label);
    spec.yLabel = QString::fromStdString(request.y_label);
    spec.baseline = request.baseline;
    for (const auto& curve : request.curves)
        spec.series.push_back(
            {QString::fromStdString(curve.name), to_qvector(curve.x), to_qvector(curve.y)});
    write_file_atomically(path, [&](const std::string& temporary) {
        QString error;
        if (!exportCurvePlot(spec, QString::fromStdString(temporary), &error))
            throw Error("cannot write " + path + ": " + error.toStdString());
    });
}

void write_text_file(const std::string& path, const std::string& text)
{
    write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

std::vector<double> parse_number_list(const std::string& text, const std::string& option)
{
    const NumberList list = prunelab::parse_number_list(text);
    if (list.bad_item)
        throw UsageError("--" + option + " needs comma-separated numbers, not '" + *list.bad_item +
                         "'");
    if (list.values.empty())
        throw UsageError("--" + option + " is empty");
    return list.values;
}

std::vector<std::string> parse_name_list(const std::string& text)
{
    std::vector<std::string> names;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ','))
        if (!item.empty())
            names.push_back(item);
    return names;
}

} // namespace prunelab::cli
