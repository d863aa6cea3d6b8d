// prunelab-cli: everything the workbench does, from the command line.
#include "app/cli/commands.h"
#include "engine/core/blas_threads.h"

#include <atomic>
#include <csignal>
#include <iostream>

namespace {
std::atomic<bool> g_cancel{false};

extern "C" void on_interrupt(int)
{
    // A second Ctrl+C falls back to the default action and ends the process at once.
    g_cancel.store(true);
    std::signal(SIGINT, SIG_DFL);
}
} // namespace

int main(int argc, char** argv)
{
    std::signal(SIGINT, on_interrupt);
    prunelab::use_all_cores();
    std::vector<std::string> args(argv + 1, argv + argc);
    prunelab::cli::CommandContext context{std::cout, std::cerr, &g_cancel};
    return prunelab::cli::run_cli(args, context);
}
