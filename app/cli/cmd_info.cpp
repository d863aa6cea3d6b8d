#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/interop/model_loader.h"
#include "engine/models/dependency.h"

#include <ostream>

namespace prunelab::cli {

int run_info(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const Checkpoint checkpoint = load_model_argument(args, model);
    const ModelInfo info = describe_model(*checkpoint.net);
    const DependencyResult dependencies = analyze_dependencies(*checkpoint.net);
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : dependencies.groups)
        groups.push_back({{"leader", g.leader()},
                          {"producers", g.producers()},
                          {"channels", g.channels},
                          {"prunable", g.prunable},
                          {"reason", g.reason}});
    if (args.has("json")) {
        auto json = model_summary_json(info);
        json["groups"] = groups;
        json["warnings"] = dependencies.warnings;
        json["command"] = "info";
        json["source"] = model;
        print_json_line(context.out, json);
        return 0;
    }
    context.out << model << ": " << info.spec.name
                << (info.spec.inputs.empty() ? ", input " : ", inputs ")
                << format_input_shapes(model_inputs(info.spec)) << ", "
                << (info.spec.num_classes > 0
                        ? std::to_string(info.spec.num_classes) + " classes"
                        : std::string("no classes (measured by output fidelity)"))
                << "\n";
    print_layer_table(context.out, info);
    if (args.has("groups")) {
        // Channel groups: what structured pruning removes together.
        context.out
            << "\nchannel groups (removed together by filter/neuron pruning and compaction):\n";
        for (const auto& g : dependencies.groups) {
            context.out << "  " << g.leader() << ": " << g.channels << " channels";
            if (g.producers().size() > 1)
                context.out << ", " << g.producers().size() << " layers summed";
            context.out << (g.prunable ? "" : ", fixed (" + g.reason + ")") << "\n";
        }
    }
    for (const auto& warning : dependencies.warnings)
        context.err << "warning: " << warning << "\n";
    return 0;
}

} // namespace prunelab::cli
