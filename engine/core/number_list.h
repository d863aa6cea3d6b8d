#pragma once

#include <optional>
#include <string>
#include <vector>

namespace prunelab {

/// "0.5,0.7,0.9" read as numbers: the values, or the first item that is not a finite number.
struct NumberList
{
    std::vector<double> values;
    std::optional<std::string> bad_item; ///< set when an item is not a finite number
};

/// Splits at commas; every item must be a whole finite number ("1e-3" yes, "0.5x" no). Callers
/// word the error for their option.
NumberList parse_number_list(const std::string& text);

} // namespace prunelab
