#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/plot_output.h"
#include "app/cli/progress_printer.h"

#include "engine/core/atomic_file.h"
#include "engine/pruning/sensitivity.h"
#include "engine/pruning/sweep.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <sstream>

namespace prunelab::cli {
namespace {

/// "validation accuracy", "test fidelity (cosine)": what a curve's numbers are.
std::string measured_label(const MeasuredOn& measured)
{
    return measured.split + " " +
           (measured.metric == "fidelity" ? std::string("fidelity (cosine)") : measured.metric);
}

std::string measured_value(double value, const MeasuredOn& measured)
{
    char text[32];
    if (measured.metric == "fidelity")
        std::snprintf(text, sizeof text, "%.4f", value);
    else
        std::snprintf(text, sizeof text, "%.2f%%", value * 100.0);
    return text;
}

nlohmann::json measured_json(const MeasuredOn& measured)
{
    // "accuracy" fields hold `metric` measured on `split` (engine/training/held_out.h).
    return {{"metric", measured.metric}, {"split", measured.split}};
}

std::string sweep_csv(const SweepResult& result)
{
    std::ostringstream csv;
    csv << "criterion,target_sparsity,sparsity,accuracy,loss,finetune_epochs\n";
    csv << "dense,0,0," << result.dense_accuracy << ",,0\n";
    for (const auto& p : result.points)
        csv << p.criterion << ',' << p.target << ',' << p.sparsity << ',' << p.accuracy << ','
            << p.loss << ',' << p.finetune_epochs << '\n';
    return csv.str();
}

std::string sensitivity_csv(const SensitivityResult& result)
{
    std::ostringstream csv;
    csv << "layer,sparsity,accuracy\n";
    for (const auto& layer : result.layers)
        csv << layer << ",0," << result.dense_accuracy << '\n';
    for (const auto& p : result.points)
        csv << p.layer << ',' << p.sparsity << ',' << p.accuracy << '\n';
    return csv.str();
}

} // namespace

int run_sweep_command(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const std::string csv_path = args.required("csv");
    check_output_path(csv_path);
    if (args.has("plot"))
        check_output_path(*args.value("plot"));
    SweepOptions options;
    options.criteria = parse_name_list(args.value_or("criteria", "l1"));
    options.sparsities =
        parse_number_list(args.value_or("sparsities", "0.5,0.7,0.9"), "sparsities");
    options.granularity = parse_granularity(args.value_or("granularity", "weight"));
    options.global = !args.has("per-layer");
    if ((args.has("normalizer") || args.has("max-layer-rate")) && !options.global)
        throw UsageError("--normalizer and --max-layer-rate shape the global ranking that "
                         "--per-layer turns off");
    options.normalizer = normalizer_from(args);
    options.max_layer_rate = max_layer_rate_from(args);
    for (const auto& name : args.values("exclude"))
        options.excluded.insert(name);
    options.finetune_epochs = int(args.integer_or("finetune-epochs", 0));
    options.finetune.lr(args.number_or("lr", options.finetune.lr()));
    options.calibration_batches = int(args.integer_or("calibration-batches", 32));
    options.seed = uint64_t(args.integer_or("seed", 0));

    Checkpoint checkpoint = load_model_argument(args, model);
    const DataSplits data = load_decision_data_for(args, checkpoint);
    ProgressPrinter printer("sweep");
    const auto result = run_sweep(
        *checkpoint.net, data, options,
        [&](int done, int total, const std::string& what) {
            printer.update(double(done) / total, NAN,
                           what + " " + std::to_string(done) + "/" + std::to_string(total));
        },
        context.cancel);
    printer.finish();
    if (result.cancelled) {
        context.err << "prunelab-cli sweep: cancelled; nothing was written\n";
        return 130;
    }
    write_text_file(csv_path, sweep_csv(result));
    nlohmann::json paths = {{"csv", csv_path}};
    if (const auto plot = args.value("plot")) {
        CurvePlotRequest request;
        request.title = checkpoint.net->spec().name + " on " + data.spec +
                        ": accuracy vs sparsity" +
                        (options.finetune_epochs
                             ? " (" + std::to_string(options.finetune_epochs) + " fine-tune epochs)"
                             : " (one-shot)");
        request.x_label = "sparsity (fraction of prunable weights that are zero)";
        request.y_label = measured_label(result.measured);
        request.baseline = result.dense_accuracy;
        std::map<std::string, NamedCurve> curves;
        for (const auto& p : result.points) {
            auto& curve = curves[p.criterion];
            curve.name = p.criterion;
            curve.x.push_back(p.sparsity);
            curve.y.push_back(p.accuracy);
        }
        for (const auto& criterion : options.criteria)
            if (curves.count(criterion))
                request.curves.push_back(curves[criterion]);
        write_curve_plot(request, *plot);
        paths["plot"] = *plot;
    }

    if (args.has("json")) {
        nlohmann::json points = nlohmann::json::array();
        for (const auto& p : result.points)
            points.push_back({{"criterion", p.criterion},
                              {"target", p.target},
                              {"sparsity", p.sparsity},
                              {"accuracy", p.accuracy},
                              {"loss", p.loss}});
        print_json_line(context.out, {{"command", "sweep"},
                                      {"source", model},
                                      {"data", data.spec},
                                      {"measured", measured_json(result.measured)},
                                      {"dense_accuracy", result.dense_accuracy},
                                      {"finetune_epochs", options.finetune_epochs},
                                      {"points", points},
                                      {"paths", paths}});
        return 0;
    }
    const std::string label = measured_label(result.measured);
    context.out << "dense: " << label << " "
                << measured_value(result.dense_accuracy, result.measured) << "\n";
    char line[160];
    for (const auto& p : result.points) {
        std::snprintf(line, sizeof line, "%-16s sparsity %6.2f%%  %s %s\n", p.criterion.c_str(),
                      p.sparsity * 100.0, label.c_str(),
                      measured_value(p.accuracy, result.measured).c_str());
        context.out << line;
    }
    context.out << "wrote " << csv_path << (args.has("plot") ? " and " + *args.value("plot") : "")
                << "\n";
    return 0;
}

int run_sensitivity_command(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const std::string csv_path = args.required("csv");
    check_output_path(csv_path);
    if (args.has("plot"))
        check_output_path(*args.value("plot"));
    SensitivityOptions options;
    options.criterion = args.value_or("criterion", "l1");
    options.granularity = parse_granularity(args.value_or("granularity", "weight"));
    if (args.has("sparsities"))
        options.sparsities = parse_number_list(*args.value("sparsities"), "sparsities");
    options.calibration_batches = int(args.integer_or("calibration-batches", 32));
    options.seed = uint64_t(args.integer_or("seed", 0));
    std::optional<double> target;
    if (args.has("target"))
        target = args.number_or("target", 0.0);

    Checkpoint checkpoint = load_model_argument(args, model);
    const DataSplits data = load_decision_data_for(args, checkpoint);
    ProgressPrinter printer("sensitivity");
    const auto result = run_sensitivity(
        *checkpoint.net, data, options,
        [&](int done, int total, const std::string& what) {
            printer.update(double(done) / total, NAN, what);
        },
        context.cancel);
    printer.finish();
    if (result.cancelled) {
        context.err << "prunelab-cli sensitivity: cancelled; nothing was written\n";
        return 130;
    }
    write_text_file(csv_path, sensitivity_csv(result));
    nlohmann::json paths = {{"csv", csv_path}};
    if (const auto plot = args.value("plot")) {
        CurvePlotRequest request;
        request.title = checkpoint.net->spec().name + ": per-layer sensitivity (" +
                        options.criterion + ", each layer pruned alone)";
        request.x_label = "layer sparsity";
        request.y_label = measured_label(result.measured);
        request.baseline = result.dense_accuracy;
        for (const auto& layer : result.layers) {
            NamedCurve curve{layer, {}, {}};
            for (const auto& p : result.points)
                if (p.layer == layer) {
                    curve.x.push_back(p.sparsity);
                    curve.y.push_back(p.accuracy);
                }
            request.curves.push_back(curve);
        }
        write_curve_plot(request, *plot);
        paths["plot"] = *plot;
    }
    std::map<std::string, double> allocation;
    if (target)
        allocation = allocate_by_sensitivity(result, *target);

    if (args.has("json")) {
        nlohmann::json points = nlohmann::json::array();
        for (const auto& p : result.points)
            points.push_back(
                {{"layer", p.layer}, {"sparsity", p.sparsity}, {"accuracy", p.accuracy}});
        nlohmann::json json = {{"command", "sensitivity"},
                               {"source", model},
                               {"data", data.spec},
                               {"criterion", options.criterion},
                               {"measured", measured_json(result.measured)},
                               {"dense_accuracy", result.dense_accuracy},
                               {"points", points},
                               {"paths", paths}};
        if (target) {
            json["target"] = *target;
            json["allocation"] = allocation;
        }
        print_json_line(context.out, json);
        return 0;
    }
    char line[160];
    const std::string label = measured_label(result.measured);
    for (const auto& p : result.points) {
        std::snprintf(line, sizeof line, "%-24s sparsity %5.1f%%  %s %s\n", p.layer.c_str(),
                      p.sparsity * 100.0, label.c_str(),
                      measured_value(p.accuracy, result.measured).c_str());
        context.out << line;
    }
    if (target) {
        context.out << "per-layer rates for " << *target * 100.0 << "% sparsity:";
        for (const auto& [layer, rate] : allocation)
            context.out << " --layer-rate " << layer << "=" << rate;
        context.out << "\n";
    }
    return 0;
}

} // namespace prunelab::cli
