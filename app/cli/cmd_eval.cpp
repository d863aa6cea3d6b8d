#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/interop/model_loader.h"
#include "engine/training/trainer.h"

#include <cstdio>
#include <ostream>

namespace prunelab::cli {
namespace {

int report_eval(const std::string& command, const std::string& model, const Checkpoint& checkpoint,
                const DataSplits& data, bool json_output, CommandContext& context)
{
    const EvalResult eval = evaluate(*checkpoint.net, data.test);
    const ModelInfo info = describe_model(*checkpoint.net);
    if (json_output) {
        auto json = model_summary_json(info);
        json["command"] = command;
        json["source"] = model;
        json["data"] = data.spec;
        json["accuracy"] = eval.accuracy;
        json["loss"] = eval.loss;
        json["samples"] = eval.samples;
        print_json_line(context.out, json);
        return 0;
    }
    if (command == "demo")
        print_layer_table(context.out, info);
    char line[200];
    std::snprintf(line, sizeof line, "%s on %s: accuracy %.2f%%, loss %.4f (%lld test samples)\n",
                  model.c_str(), data.spec.c_str(), eval.accuracy * 100.0, eval.loss,
                  static_cast<long long>(eval.samples));
    context.out << line;
    return 0;
}

} // namespace

int run_eval(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    // A checkpoint is shaped already; load it first so a bare `synthetic` can follow its shape.
    Checkpoint checkpoint = load_model_argument(args, model);
    const DataSplits data = load_data_for(args, checkpoint.net->spec());
    return report_eval("eval", model, checkpoint, data, args.has("json"), context);
}

int run_demo(const ParsedArgs& args, CommandContext& context)
{
    const Checkpoint checkpoint = load_embedded_default();
    const DataSplits data = load_data_for(args, checkpoint.net->spec());
    context.err << "demo: the embedded seed ConvNet on Fashion-MNIST\n";
    return report_eval("demo", "default", checkpoint, data, args.has("json"), context);
}

} // namespace prunelab::cli
