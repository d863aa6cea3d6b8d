#include "app/cli/progress_printer.h"

#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace prunelab::cli {

std::string format_duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const long total = std::lround(seconds);
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60,
                      total % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}

ProgressPrinter::ProgressPrinter(std::string label)
    : m_label(std::move(label)), m_terminal(::isatty(STDERR_FILENO) == 1)
{}

ProgressPrinter::~ProgressPrinter()
{
    finish();
}

void ProgressPrinter::update(double fraction, double eta_seconds, const std::string& detail)
{
    fraction = std::min(1.0, std::max(0.0, fraction));
    const auto now = std::chrono::steady_clock::now();
    if (!std::isfinite(eta_seconds) && fraction > 0.0) {
        const double elapsed = std::chrono::duration<double>(now - m_start).count();
        eta_seconds = elapsed * (1.0 - fraction) / fraction;
    }
    if (m_terminal) {
        if (m_open && fraction < 1.0 && now - m_last_draw < std::chrono::milliseconds(100))
            return;
        constexpr int kWidth = 30;
        const int filled = int(std::lround(fraction * kWidth));
        std::fprintf(stderr, "\r%s [%s%s] %5.1f%% ETA %s  %s\033[K", m_label.c_str(),
                     std::string(size_t(filled), '#').c_str(),
                     std::string(size_t(kWidth - filled), '.').c_str(), fraction * 100.0,
                     format_duration(eta_seconds).c_str(), detail.c_str());
        std::fflush(stderr);
        m_open = true;
        m_last_draw = now;
        return;
    }
    const int quarter = int(fraction * 4.0);
    if (quarter == m_last_quarter)
        return;
    m_last_quarter = quarter;
    std::fprintf(stderr, "%s: %3.0f%% (ETA %s) %s\n", m_label.c_str(), fraction * 100.0,
                 format_duration(eta_seconds).c_str(), detail.c_str());
}

void ProgressPrinter::finish()
{
    if (m_terminal && m_open) {
        std::fputc('\n', stderr);
        m_open = false;
    }
}

} // namespace prunelab::cli
