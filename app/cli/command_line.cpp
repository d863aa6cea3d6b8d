#include "app/cli/command_line.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

namespace prunelab::cli {

ParsedArgs ParsedArgs::parse(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& options, size_t max_positionals)
{
    ParsedArgs parsed;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            parsed.m_positionals.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = nullptr;
        for (const auto& option : options)
            if (option.name == name)
                spec = &option;
        if (!spec)
            throw UsageError("unknown option --" + name);
        std::string value;
        if (spec->value_name.empty()) {
            if (inline_value)
                throw UsageError("option --" + name + " takes no value");
        } else if (inline_value) {
            value = *inline_value;
        } else {
            if (i + 1 >= args.size())
                throw UsageError("option --" + name + " needs a value (" + spec->value_name + ")");
            value = args[++i];
        }
        auto& slot = parsed.m_values[name];
        if (!slot.empty() && !spec->repeatable)
            throw UsageError("option --" + name + " was given more than once");
        slot.push_back(value);
    }
    if (parsed.m_positionals.size() > max_positionals)
        throw UsageError("unexpected argument '" + parsed.m_positionals[max_positionals] + "'");
    return parsed;
}

std::optional<std::string> ParsedArgs::value(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::string ParsedArgs::value_or(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

namespace {

/// What each numeric option may be, the same in every command that takes it: a value outside is
/// a usage error naming the option, before any work (a --threads of 100000 started that many
/// threads; --seed -1 wrapped around).
struct Range
{
    double low;
    double high;
    bool low_open = false;  ///< low itself is not allowed
    bool high_open = false; ///< high itself is not allowed
};

const std::map<std::string, Range>& option_ranges()
{
    constexpr double kCount = 2147483647.0; // counts are stored as int
    static const std::map<std::string, Range> ranges = {
        {"epochs", {1, kCount}},
        {"finetune-epochs", {0, kCount}},
        {"final-finetune-epochs", {0, kCount}},
        {"batch", {1, kCount}},
        {"threads", {0, 1024}}, // 0: every core
        {"seed", {0, kCount}},
        {"steps", {1, 100000}},
        {"calibration-batches", {1, kCount}},
        {"warmup", {0, kCount}},
        {"runs", {1, kCount}},
        {"train-limit", {0, kCount}},
        {"test-limit", {0, kCount}},
        {"lr", {0, 1000, true}},
        {"momentum", {0, 1, false, true}},
        {"weight-decay", {0, 1000}},
        {"val-fraction", {0, 1, false, true}},
        {"crop-ratio", {0, 1, true}},
        {"temperature", {0, 1000, true}},
        {"alpha", {0, 1}},
        {"rate", {0, 1}},
        {"target", {0, 1, true}},
        {"max-layer-rate", {0, 1, true}},
        {"max-seconds", {0, 1e7, true}},
        {"opset", {13, 17}}, // ONNX opsets the exporter writes
    };
    return ranges;
}

std::string number_text(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

void check_range(const std::string& name, double value, const std::string& text)
{
    const auto it = option_ranges().find(name);
    if (it == option_ranges().end())
        return;
    const Range& r = it->second;
    const bool low_ok = r.low_open ? value > r.low : value >= r.low;
    const bool high_ok = r.high_open ? value < r.high : value <= r.high;
    if (low_ok && high_ok)
        return;
    throw UsageError("option --" + name + " " + text + " is out of range (" +
                     (r.low_open ? "above " : "at least ") + number_text(r.low) +
                     (r.high_open ? ", below " : ", at most ") + number_text(r.high) + ")");
}

} // namespace

double ParsedArgs::number_or(const std::string& name, double fallback) const
{
    const auto text = value(name);
    if (!text)
        return fallback;
    try {
        size_t used = 0;
        const double number = std::stod(*text, &used);
        if (used != text->size() || !std::isfinite(number))
            throw std::invalid_argument(*text);
        check_range(name, number, *text);
        return number;
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " needs a number, not '" + *text + "'");
    }
}

long long ParsedArgs::integer_or(const std::string& name, long long fallback) const
{
    const auto text = value(name);
    if (!text)
        return fallback;
    long long number = 0;
    try {
        size_t used = 0;
        number = std::stoll(*text, &used);
        if (used != text->size())
            throw std::invalid_argument(*text);
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " needs a whole number, not '" + *text + "'");
    }
    // Every count PruneLab takes (epochs, batch, steps, limits, threads) fits an int; a larger
    // one would wrap where it is stored, or overflow the batch arithmetic.
    constexpr long long kLimit = std::numeric_limits<int32_t>::max();
    if (number > kLimit || number < -kLimit)
        throw UsageError("option --" + name + " " + *text + " is out of range (at most " +
                         std::to_string(kLimit) + ")");
    check_range(name, double(number), *text);
    return number;
}

std::string ParsedArgs::required(const std::string& name) const
{
    const auto text = value(name);
    if (!text || text->empty())
        throw UsageError("option --" + name + " is required");
    return *text;
}

std::string format_options(const std::vector<OptionSpec>& options)
{
    std::ostringstream out;
    out << "Options:\n";
    for (const auto& option : options) {
        std::string left = "  --" + option.name;
        if (!option.value_name.empty())
            left += " " + option.value_name;
        out << left;
        out << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << option.help << "\n";
    }
    return out.str();
}

} // namespace prunelab::cli
