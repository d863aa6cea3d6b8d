#include "engine/core/input_shapes.h"

#include "engine/core/error.h"

#include <numeric>

namespace prunelab {
namespace {

constexpr int64_t kLargestSize = 1 << 20; // a million per dimension: a typo, not a model
constexpr size_t kLargestRank = 5;
constexpr size_t kMostInputs = 16;

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

} // namespace

std::vector<int64_t> parse_input_shape(const std::string& text, const std::string& what)
{
    if (text.find(';') != std::string::npos)
        throw Error(what + " '" + text + "' describes several inputs where one is expected");
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

InputShapes parse_input_shapes(const std::string& text, const std::string& what)
{
    InputShapes shapes;
    size_t start = 0;
    while (true) {
        const size_t semicolon = text.find(';', start);
        const std::string part = trimmed(text.substr(
            start, semicolon == std::string::npos ? std::string::npos : semicolon - start));
        try {
            shapes.push_back(parse_input_shape(part, what));
        } catch (const Error&) {
            throw Error(what + " '" + text + "': input " + std::to_string(shapes.size() + 1) +
                        " ('" + part +
                        "') is not one sample's shape: give positive sizes separated by commas, "
                        "inputs separated by ';', like 3,224,224 or 3,16,16;8 (no batch "
                        "dimension)");
        }
        if (semicolon == std::string::npos)
            break;
        start = semicolon + 1;
    }
    if (shapes.size() > kMostInputs)
        throw Error(what + " '" + text + "' has " + std::to_string(shapes.size()) +
                    " inputs; at most " + std::to_string(kMostInputs));
    return shapes;
}

namespace {

std::string joined(const InputShapes& shapes, const std::string& between_sizes,
                   const std::string& between_inputs)
{
    std::string out;
    for (const auto& shape : shapes) {
        if (!out.empty())
            out += between_inputs;
        std::string one;
        for (int64_t size : shape)
            one += (one.empty() ? "" : between_sizes) + std::to_string(size);
        out += one;
    }
    return out;
}

} // namespace

std::string format_input_shapes(const InputShapes& shapes)
{
    return joined(shapes, "\xC3\x97", "; ");
}

std::string input_shapes_text(const InputShapes& shapes)
{
    return joined(shapes, ",", ";");
}

std::vector<int64_t> packed_input_shape(const InputShapes& shapes)
{
    if (shapes.size() == 1)
        return shapes.front();
    int64_t total = 0;
    for (const auto& shape : shapes)
        total += std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<>());
    return shapes.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{total};
}

} // namespace prunelab
