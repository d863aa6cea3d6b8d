#include "engine/data/memory_cap.h"

#include "engine/core/error.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace prunelab {

int64_t default_memory_cap()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0)
        return int64_t(8) << 30; // unknown: 8 GB
    return int64_t(double(pages) * double(page) * 0.75);
}

int64_t memory_cap_or_default(int64_t cap)
{
    return cap > 0 ? cap : default_memory_cap();
}

std::string format_gigabytes(double bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3g GB", bytes / 1e9);
    return text;
}

int64_t parse_byte_size(const std::string& text, const std::string& option)
{
    const auto refuse = [&] {
        return Error(option + " '" + text +
                     "' is not a size (a number of bytes, or with K, M, G or T: 512M, 8G)");
    };
    size_t used = 0;
    double value = 0.0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        throw refuse();
    }
    std::string unit = text.substr(used);
    if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b'))
        unit.pop_back();
    double scale = 1.0;
    if (unit.size() > 1)
        throw refuse();
    if (unit.size() == 1) {
        switch (std::toupper(static_cast<unsigned char>(unit[0]))) {
        case 'K':
            scale = 1e3;
            break;
        case 'M':
            scale = 1e6;
            break;
        case 'G':
            scale = 1e9;
            break;
        case 'T':
            scale = 1e12;
            break;
        default:
            throw refuse();
        }
    }
    const double bytes = value * scale;
    if (!std::isfinite(bytes) || bytes < 0 || bytes > 9.0e18)
        throw refuse();
    return static_cast<int64_t>(std::llround(bytes));
}

} // namespace prunelab
