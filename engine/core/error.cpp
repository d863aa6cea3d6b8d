#include "engine/core/error.h"

#include <c10/util/Exception.h>

namespace prunelab {
namespace {

constexpr int64_t kLargestSize = 1 << 20; // a million per dimension: a typo, not a model
constexpr size_t kLargestRank = 5;

bool is_backtrace_line(const std::string& line)
{
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos)
        return true;
    return line.compare(first, 7, "frame #") == 0 ||
           line.compare(first, 21, "Exception raised from") == 0;
}

} // namespace

std::string readable_message(const std::exception& error)
{
    const auto* torch_error = dynamic_cast<const c10::Error*>(&error);
    const std::string text = torch_error ? torch_error->what_without_backtrace() : error.what();
    // One line: a message of ours already is one; of an interpreter error the last line is
    // the one that names the problem.
    std::string last;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(start, end - start);
        if (!is_backtrace_line(line))
            last = line;
        start = end + 1;
    }
    if (last.size() > 300)
        last = last.substr(0, 297) + "...";
    return last.empty() ? std::string("unknown error") : last;
}

std::vector<int64_t> parse_input_shape(const std::string& text, const std::string& what)
{
    if (text.find(';') != std::string::npos)
        throw Error(what + " '" + text +
                    "' describes several inputs; PruneLab takes models with one input so far");
    std::vector<int64_t> shape;
    std::string normalized;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "\xC3\x97") == 0) { // ×
            normalized += ',';
            ++i;
        } else {
            normalized += text[i] == 'x' || text[i] == 'X' ? ',' : text[i];
        }
    }
    size_t start = 0;
    while (start <= normalized.size()) {
        const size_t comma = normalized.find(',', start);
        const std::string item = normalized.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        size_t used = 0;
        long long size = 0;
        try {
            size = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || size < 1 || size > kLargestSize)
            throw Error(what + " '" + text +
                        "' is not one sample's shape: give positive sizes separated by commas, "
                        "like 64 or 3,224,224 (no batch dimension)");
        shape.push_back(size);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (shape.size() > kLargestRank)
        throw Error(what + " '" + text + "' has " + std::to_string(shape.size()) +
                    " dimensions; at most " + std::to_string(kLargestRank) + " per sample");
    return shape;
}

} // namespace prunelab
