#include "app/cli/commands.h"

#include "app/cli/command_line.h"
#include "app/cli/command_registry.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/version.h"

#include <c10/util/Exception.h>

#include <ostream>

namespace prunelab::cli {
namespace {

std::string general_help()
{
    std::string text = "prunelab-cli " + std::string(kVersion) +
                       " - prune neural networks from the command line\n\n"
                       "Usage: prunelab-cli COMMAND [ARGS] [--json]\n"
                       "       prunelab-cli --version | --help | COMMAND --help\n\n"
                       "Commands:\n";
    for (const auto& command : all_commands())
        text += "  " + command.name +
                std::string(command.name.size() < 14 ? 14 - command.name.size() : 1, ' ') +
                command.summary + "\n";
    text +=
        "\nMODEL is a built-in name (convnet, lenet300, lenet5, vgg-small, resnet20, resnet18),\n"
        "`default` (the embedded trained ConvNet), or a PruneLab checkpoint.\n"
        "DATA is fashion-mnist (default), fashion-mnist:DIR, mnist:DIR, cifar10:DIR or\n"
        "synthetic[:C,H,W[,CLASSES]].\n"
        "With --json the last line on stdout is one JSON object; progress goes to stderr.\n"
        "Exit status: 0 success, 1 failure, 2 usage error, 130 cancelled.\n";
    return text;
}

std::string command_help(const CommandInfo& command)
{
    return "Usage: prunelab-cli " + command.usage + "\n\n" + command.summary + "\n\n" +
           format_options(command.options);
}

} // namespace

int run_cli(const std::vector<std::string>& args, CommandContext& context)
{
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        context.out << general_help();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
        context.out << "prunelab-cli " << kVersion << "\n";
        return 0;
    }
    const CommandInfo* command = find_command(args[0]);
    if (!command) {
        context.err << "prunelab-cli: unknown command '" << args[0]
                    << "' (see prunelab-cli --help)\n";
        return 2;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& arg : rest)
        if (arg == "--help" || arg == "-h") {
            context.out << command_help(*command);
            return 0;
        }
    try {
        const ParsedArgs parsed =
            ParsedArgs::parse(rest, command->options, command->max_positionals);
        // A command's outputs land together when it succeeds, and none when it fails.
        OutputBatch outputs;
        const int code = command->run(parsed, context);
        if (code == 0)
            outputs.commit();
        return code;
    } catch (const UsageError& e) {
        context.err << "prunelab-cli " << command->name << ": " << e.what() << " (see prunelab-cli "
                    << command->name << " --help)\n";
        return 2;
    } catch (const Error& e) {
        context.err << "prunelab-cli " << command->name << ": error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) { // LibTorch's own: no backtrace, the line that matters
        context.err << "prunelab-cli " << command->name << ": error: " << readable_message(e)
                    << "\n";
        return 1;
    }
}

} // namespace prunelab::cli
