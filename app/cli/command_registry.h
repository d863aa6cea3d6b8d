#pragma once

#include "app/cli/command_line.h"
#include "app/cli/commands.h"

#include <functional>
#include <string>
#include <vector>

namespace prunelab::cli {

/// A subcommand: its name, help and entry point.
struct CommandInfo
{
    std::string name;
    std::string usage;
    std::string summary;
    std::vector<OptionSpec> options;
    size_t max_positionals = 0;
    std::function<int(const ParsedArgs&, CommandContext&)> run;
};

const std::vector<CommandInfo>& all_commands();
const CommandInfo* find_command(const std::string& name);

// Entry points, one file each.
int run_info(const ParsedArgs& args, CommandContext& context);
int run_train(const ParsedArgs& args, CommandContext& context);
int run_eval(const ParsedArgs& args, CommandContext& context);
int run_demo(const ParsedArgs& args, CommandContext& context);
int run_prune(const ParsedArgs& args, CommandContext& context);
int run_distill(const ParsedArgs& args, CommandContext& context);
int run_compact(const ParsedArgs& args, CommandContext& context);
int run_bench(const ParsedArgs& args, CommandContext& context);
int run_export(const ParsedArgs& args, CommandContext& context);
int run_recipe(const ParsedArgs& args, CommandContext& context);
int run_sweep_command(const ParsedArgs& args, CommandContext& context);
int run_sensitivity_command(const ParsedArgs& args, CommandContext& context);

} // namespace prunelab::cli
