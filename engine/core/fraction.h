#pragma once

// The one check of a fraction — a pruning rate, a sparsity, a distillation weight, a validation
// share — with one message style everywhere: "global rate 1.5 is outside [0, 1]",
// "--rate needs a number in [0, 1], not 'abc'".

#include <string>

namespace prunelab {

/// Which end of the interval a fraction may reach: [0, 1] or [0, 1) (a target that must leave
/// something).
enum class FractionRange
{
    Closed,
    BelowOne
};

/// Returns `value` when it is a fraction in the range. `what` names it ("global rate").
/// @throws prunelab::Error "WHAT VALUE is outside [0, 1]" (NaN and infinities included).
double check_fraction(double value, const std::string& what,
                      FractionRange range = FractionRange::Closed);

/// Parses the whole of `text` as a fraction.
/// @throws prunelab::Error "WHAT needs a number in [0, 1], not 'TEXT'", or as check_fraction.
double parse_fraction(const std::string& text, const std::string& what,
                      FractionRange range = FractionRange::Closed);

} // namespace prunelab
