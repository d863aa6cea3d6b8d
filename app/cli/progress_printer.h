#pragma once

#include <chrono>
#include <string>

namespace prunelab::cli {

/// Shows progress on stderr: a redrawn bar with ETA when stderr is a terminal, otherwise a
/// plain line at each quarter so logs stay readable.
class ProgressPrinter
{
public:
    explicit ProgressPrinter(std::string label);
    ~ProgressPrinter();
    /// fraction in [0, 1]; detail is shown after the bar ("epoch 2/10 loss 0.41"). A non-finite
    /// eta is estimated from the time elapsed so far.
    void update(double fraction, double eta_seconds, const std::string& detail);
    /// Ends the bar's line (on a terminal).
    void finish();

private:
    std::string m_label;
    bool m_terminal;
    bool m_open = false;
    int m_last_quarter = -1;
    std::chrono::steady_clock::time_point m_last_draw;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

/// "1:05" or "1:02:05".
std::string format_duration(double seconds);

} // namespace prunelab::cli
