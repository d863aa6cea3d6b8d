#include "engine/core/fraction.h"

#include "engine/core/error.h"

#include <cmath>
#include <cstdio>

namespace prunelab {
namespace {

const char* interval(FractionRange range)
{
    return range == FractionRange::Closed ? "[0, 1]" : "[0, 1)";
}

} // namespace

double check_fraction(double value, const std::string& what, FractionRange range)
{
    const bool inside = range == FractionRange::Closed ? (value >= 0.0 && value <= 1.0)
                                                       : (value >= 0.0 && value < 1.0);
    if (inside)
        return value;
    char shown[32];
    if (std::isnan(value))
        std::snprintf(shown, sizeof shown, "NaN");
    else
        std::snprintf(shown, sizeof shown, "%.6g", value); // "inf", "1.5"
    throw Error(what + " " + shown + " is outside " + interval(range));
}

double parse_fraction(const std::string& text, const std::string& what, FractionRange range)
{
    double value = NAN;
    try {
        size_t used = 0;
        value = std::stod(text, &used);
        if (used != text.size())
            value = NAN, used = 0;
        if (used == 0)
            throw Error(text);
    } catch (const std::exception&) {
        throw Error(what + " needs a number in " + interval(range) + ", not '" + text + "'");
    }
    return check_fraction(value, what, range);
}

} // namespace prunelab
