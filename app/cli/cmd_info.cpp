#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/model_loader.h"

#include <ostream>

namespace prunelab::cli {

int run_info(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const Checkpoint checkpoint = load_model(model);
    const ModelInfo info = describe_model(*checkpoint.net);
    if (args.has("json")) {
        auto json = model_summary_json(info);
        json["command"] = "info";
        json["source"] = model;
        print_json_line(context.out, json);
        return 0;
    }
    context.out << model << ": " << info.spec.name << ", input " << format_shape(info.spec.input_shape)
                << ", " << info.spec.num_classes << " classes\n";
    print_layer_table(context.out, info);
    return 0;
}

} // namespace prunelab::cli
