#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/compaction/compaction.h"
#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/interop/exports.h"
#include "engine/interop/model_loader.h"
#include "engine/pruning/mask_set.h"
#include "engine/training/trainer.h"

#include <cstdio>
#include <ostream>

namespace prunelab::cli {

int run_compact(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const std::string out_path = args.required("out");
    const auto state_dict_path = args.value("state-dict");
    const auto report_path = args.value("report");
    std::vector<std::string> outputs = {out_path};
    for (const auto& path : {state_dict_path, report_path})
        if (path)
            outputs.push_back(*path);
    check_output_paths(outputs, {model});

    Checkpoint checkpoint = load_model_argument(args, model);
    std::optional<DataSplits> data;
    if (args.has("data"))
        data = load_data_for(args, checkpoint.net->spec());
    const MaskSet masks = MaskSet::from_tensors(checkpoint.masks, *checkpoint.net);
    masks.apply_(*checkpoint.net);
    const ModelInfo before = describe_model(*checkpoint.net);
    const CompactionResult result = compact(*checkpoint.net, masks);
    for (const auto& warning : result.warnings)
        context.err << "warning: " << warning << "\n";
    for (const auto& note : result.notes)
        context.err << "note: " << note << "\n";

    Checkpoint out = checkpoint;
    if (result.changed()) {
        out.net = result.net;
        out.masks = result.masks.to_bool();
    }
    MetadataUpdate update;
    if (result.changed())
        update.compaction = compaction_record(result, model);
    const ModelInfo after = describe_model(*out.net);
    std::optional<double> accuracy;
    if (data) {
        accuracy = evaluate(*out.net, data->test).accuracy;
        update.test_accuracy = *accuracy;
        update.data = data->spec;
    }
    stamp_metadata(out.metadata, update);
    save_model(out, out_path); // unchanged when nothing could be removed: scripts go on
    nlohmann::json paths = {{"checkpoint", out_path}};
    if (state_dict_path) {
        export_state_dict(*out.net, *state_dict_path);
        paths["state_dict"] = *state_dict_path;
    }
    if (report_path) {
        ReportContext report;
        report.data = data ? data->spec : std::string();
        report.accuracy_after = accuracy;
        report.pruning = {{"compaction", out.metadata.value("compaction", nlohmann::json(nullptr))},
                          {"flops_before_compaction", before.flops},
                          {"params_before_compaction", before.total_params}};
        export_report(after, report, *report_path);
        paths["report"] = *report_path;
    }

    if (args.has("json")) {
        nlohmann::json json = {{"command", "compact"},
                               {"source", model},
                               {"changed", result.changed()},
                               {"groups", compaction_record(result, model).groups},
                               {"params_before", before.total_params},
                               {"params_after", after.total_params},
                               {"flops_before", before.flops},
                               {"flops_after", after.flops},
                               {"max_abs_diff", result.max_abs_diff},
                               {"notes", result.notes},
                               {"warnings", result.warnings},
                               {"paths", paths}};
        if (accuracy)
            json["accuracy"] = *accuracy;
        print_json_line(context.out, json);
        return 0;
    }
    for (const auto& g : result.groups) {
        context.out << "  " << g.leader << ": " << g.channels_before << " → " << g.channels_after
                    << " channels";
        if (g.layers.size() > 1)
            context.out << " (" << g.layers.size() << " layers)";
        context.out << "\n";
    }
    char line[240];
    std::snprintf(
        line, sizeof line,
        "params %s → %s (%.2f×), FLOPs %s → %s (%.2f×), max output difference %.2g\n",
        group_digits(before.total_params).c_str(), group_digits(after.total_params).c_str(),
        double(before.total_params) / double(std::max<int64_t>(1, after.total_params)),
        group_digits(before.flops).c_str(), group_digits(after.flops).c_str(),
        double(before.flops) / double(std::max<int64_t>(1, after.flops)), result.max_abs_diff);
    context.out << line;
    if (accuracy) {
        std::snprintf(line, sizeof line, "accuracy %.2f%%\n", *accuracy * 100.0);
        context.out << line;
    }
    for (const auto& [what, path] : paths.items())
        context.out << "wrote " << what << " " << path.get<std::string>() << "\n";
    return 0;
}

} // namespace prunelab::cli
