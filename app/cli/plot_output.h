#pragma once

#include <optional>
#include <string>
#include <vector>

namespace prunelab::cli {

struct NamedCurve
{
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
};

struct CurvePlotRequest
{
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<NamedCurve> curves;
    std::optional<double> baseline; ///< drawn as a dashed "dense" line
};

/// Renders a PNG or PDF (by extension) with QCustomPlot, atomically (temporary file, then
/// rename). Starts an offscreen Qt application when none runs.
/// @throws prunelab::Error naming the path when it cannot be written.
void write_curve_plot(const CurvePlotRequest& request, const std::string& path);

/// Writes text atomically. @throws prunelab::Error naming the path.
void write_text_file(const std::string& path, const std::string& text);

/// "0.5,0.7,0.9" → numbers. @throws UsageError naming the option.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);
std::vector<std::string> parse_name_list(const std::string& text);

} // namespace prunelab::cli
