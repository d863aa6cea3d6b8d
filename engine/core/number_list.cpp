#include "engine/core/number_list.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace prunelab {

NumberList parse_number_list(const std::string& text)
{
    NumberList list;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        try {
            size_t used = 0;
            const double value = std::stod(item, &used);
            if (used != item.size() || !std::isfinite(value))
                throw std::invalid_argument(item);
            list.values.push_back(value);
        } catch (const std::exception&) {
            list.bad_item = item;
            list.values.clear();
            return list;
        }
    }
    return list;
}

} // namespace prunelab
