#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/core/error.h"
#include "engine/interop/model_loader.h"
#include "engine/training/trainer.h"

#include <cstdio>
#include <optional>
#include <ostream>

namespace prunelab::cli {
namespace {

/// `reference`: the dense model to measure output fidelity against (null for none).
int report_eval(const std::string& command, const std::string& model, const Checkpoint& checkpoint,
                const DataSplits& data, const Checkpoint* reference, bool json_output,
                CommandContext& context)
{
    const EvalResult eval =
        evaluate(*checkpoint.net, data.test, 1000, reference ? reference->net.get() : nullptr);
    const ModelInfo info = describe_model(*checkpoint.net);
    if (json_output) {
        auto json = model_summary_json(info);
        json["command"] = command;
        json["source"] = model;
        json["data"] = data.spec;
        // "metric": what "accuracy" holds (top-1 accuracy, or cosine fidelity without classes).
        json["metric"] = eval.fidelity ? "fidelity" : "accuracy";
        json["accuracy"] = eval.accuracy;
        json["loss"] = eval.loss;
        json["samples"] = eval.samples;
        if (reference)
            json["fidelity"] = {{"relative_l2", eval.relative_l2},
                                {"cosine", eval.cosine},
                                {"top1_agreement", eval.fidelity ? nlohmann::json(nullptr)
                                                                 : nlohmann::json(eval.agreement)}};
        print_json_line(context.out, json);
        return 0;
    }
    if (command == "demo")
        print_layer_table(context.out, info);
    char line[320];
    if (eval.fidelity)
        std::snprintf(line, sizeof line,
                      "%s on %s: fidelity to the reference: cosine %.4f, relative L2 error %.4f "
                      "(%lld test samples)\n",
                      model.c_str(), data.spec.c_str(), eval.cosine, eval.relative_l2,
                      static_cast<long long>(eval.samples));
    else if (reference)
        std::snprintf(line, sizeof line,
                      "%s on %s: accuracy %.2f%%, loss %.4f, top-1 agreement with the reference "
                      "%.2f%%, relative L2 error %.4f (%lld test samples)\n",
                      model.c_str(), data.spec.c_str(), eval.accuracy * 100.0, eval.loss,
                      eval.agreement * 100.0, eval.relative_l2,
                      static_cast<long long>(eval.samples));
    else
        std::snprintf(line, sizeof line,
                      "%s on %s: accuracy %.2f%%, loss %.4f (%lld test samples)\n", model.c_str(),
                      data.spec.c_str(), eval.accuracy * 100.0, eval.loss,
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
    std::optional<Checkpoint> reference;
    if (args.has("reference"))
        reference = load_model_for(*args.value("reference"), nullptr, 0,
                                   model_inputs(checkpoint.net->spec()));
    const DataSplits data = load_data_for(args, checkpoint.net->spec());
    if (!reference && measured_by_fidelity(*checkpoint.net, data.test))
        throw Error(model + ": " + needs_labels_message(*checkpoint.net, data.test, "accuracy") +
                    " (give --reference DENSE_MODEL)");
    return report_eval("eval", model, checkpoint, data, reference ? &*reference : nullptr,
                       args.has("json"), context);
}

int run_demo(const ParsedArgs& args, CommandContext& context)
{
    const Checkpoint checkpoint = load_embedded_default();
    const DataSplits data = load_data_for(args, checkpoint.net->spec());
    context.err << "demo: the embedded seed ConvNet on Fashion-MNIST\n";
    return report_eval("demo", "default", checkpoint, data, nullptr, args.has("json"), context);
}

} // namespace prunelab::cli
