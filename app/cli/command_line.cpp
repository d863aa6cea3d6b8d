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
        return number;
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
