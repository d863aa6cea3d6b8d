#include "app/cli/command_registry.h"

namespace prunelab::cli {
namespace {

OptionSpec json_option() { return {"json", "", "print one JSON object with the results as the last line"}; }

std::vector<OptionSpec> data_options()
{
    return {{"data", "DATA", "data set (default fashion-mnist)"},
            {"train-limit", "N", "use only the first N training samples"},
            {"test-limit", "N", "use only the first N test samples"}};
}

std::vector<OptionSpec> with(std::vector<OptionSpec> base, const std::vector<OptionSpec>& more)
{
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

} // namespace

const std::vector<CommandInfo>& all_commands()
{
    static const std::vector<CommandInfo> commands = {
        {"info", "info MODEL [--json]",
         "List the model's prunable layers: name, kind, shape, params, sparsity, FLOPs.",
         {json_option()}, 1, run_info},
        {"train", "train MODEL --data DATA --epochs N [options] --out CKPT [--json]",
         "Train a model (a fresh built-in one, or continue a checkpoint) and save a checkpoint.",
         with(data_options(),
              {{"epochs", "N", "epochs (default 10)"},
               {"optimizer", "sgd|adam", "optimizer (default adam)"},
               {"lr", "LR", "learning rate (default 0.002 for adam, 0.01 for sgd)"},
               {"momentum", "M", "SGD momentum (default 0.9)"},
               {"weight-decay", "WD", "weight decay (default 0)"},
               {"lr-schedule", "constant|step|cosine", "learning-rate schedule (default cosine)"},
               {"batch", "B", "batch size (default 64)"},
               {"seed", "S", "random seed for initialization and shuffling (default 1)"},
               {"threads", "T", "CPU threads (default: all cores)"},
               {"out", "CKPT", "where to write the trained checkpoint (required)"},
               json_option()}),
         1, run_train},
        {"eval", "eval MODEL --data DATA [--json]",
         "Evaluate a model's accuracy and loss on the test split.",
         with(data_options(), {json_option()}), 1, run_eval},
        {"demo", "demo [--json]",
         "Run the embedded default end to end: load the trained ConvNet, evaluate it on "
         "Fashion-MNIST, print its layer table.",
         {{"test-limit", "N", "evaluate on the first N test samples only"}, json_option()}, 0,
         run_demo},
    };
    return commands;
}

const CommandInfo* find_command(const std::string& name)
{
    for (const auto& command : all_commands())
        if (command.name == name)
            return &command;
    return nullptr;
}

} // namespace prunelab::cli
