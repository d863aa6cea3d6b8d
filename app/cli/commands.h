#pragma once

#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

namespace prunelab::cli {

/// Where a command writes: results to `out`, progress and errors to `err`; `cancel` is set by
/// the SIGINT handler.
struct CommandContext
{
    std::ostream& out;
    std::ostream& err;
    const std::atomic<bool>* cancel = nullptr;
};

/// Runs `prunelab-cli` with its arguments (without the program name) and returns the exit
/// code: 0 success, 1 failure, 2 usage error, 130 cancelled. Never throws.
int run_cli(const std::vector<std::string>& args, CommandContext& context);

} // namespace prunelab::cli
