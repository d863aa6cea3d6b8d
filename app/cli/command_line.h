#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunelab::cli {

/// A mistake in how the command was called (exit code 2), as opposed to a failure while
/// running it.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// One option a command accepts.
struct OptionSpec
{
    std::string name;       ///< without the leading "--"
    std::string value_name; ///< empty for a flag
    std::string help;
    bool repeatable = false;
};

/// Parsed arguments of one command: positionals and `--name value` / `--name=value` options.
class ParsedArgs
{
public:
    /// Parses `args` against `options`; `max_positionals` bounds positional arguments.
    /// @throws UsageError for an unknown option, a missing value, or too many positionals.
    static ParsedArgs parse(const std::vector<std::string>& args,
                            const std::vector<OptionSpec>& options, size_t max_positionals);

    const std::vector<std::string>& positionals() const { return m_positionals; }
    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    std::string value_or(const std::string& name, const std::string& fallback) const;
    /// The option converted to a number. @throws UsageError naming the option if it is not one.
    double number_or(const std::string& name, double fallback) const;
    long long integer_or(const std::string& name, long long fallback) const;
    /// @throws UsageError when the option is absent.
    std::string required(const std::string& name) const;

private:
    std::vector<std::string> m_positionals;
    std::map<std::string, std::vector<std::string>> m_values;
};

/// The "Options:" block of a command's help.
std::string format_options(const std::vector<OptionSpec>& options);

} // namespace prunelab::cli
