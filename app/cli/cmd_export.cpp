#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/export/netron_attachment.h"
#include "engine/export/onnx_export.h"
#include "engine/export/onnx_runtime.h"
#include "engine/export/storage_sizes.h"
#include "engine/interop/exports.h"
#include "engine/pruning/importance.h"
#include "engine/training/trainer.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <c10/core/GradMode.h>
#include <torch/serialize.h>

#include <ostream>

namespace prunelab::cli {
namespace {

std::optional<double> metadata_number(const nlohmann::json& metadata,
                                      const nlohmann::json::json_pointer& at)
{
    if (metadata.contains(at) && metadata[at].is_number())
        return metadata[at].get<double>();
    return std::nullopt;
}

/// {"input": x, "output": model(x)} for checking the outputs in Python.
void write_io_sample(PrunableNet& net, const DataSplits* data, const std::string& path)
{
    at::Tensor input;
    if (data && data->test.size() > 0) {
        input = data->test.images.slice(0, 0, std::min<int64_t>(8, data->test.size()));
    } else {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
        std::vector<int64_t> shape = {4};
        for (int64_t d : net.spec().input_shape)
            shape.push_back(d);
        input = at::randn(shape, generator);
    }
    const bool was_training = net.is_training();
    net.eval();
    at::NoGradGuard no_grad;
    const at::Tensor output = net.forward(input);
    net.train(was_training);
    c10::Dict<std::string, at::Tensor> dict;
    dict.insert("input", input.contiguous());
    dict.insert("output", output.contiguous());
    write_file_atomically(path, torch::pickle_save(c10::IValue(dict)));
}

} // namespace

int run_export(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const auto state_dict_path = args.value("state-dict");
    const auto masks_path = args.value("masks");
    const auto report_path = args.value("report");
    const auto sample_path = args.value("io-sample");
    const auto netron_path = args.value("netron");
    const auto onnx_path = args.value("onnx");
    const auto sparse_path = args.value("sparse");
    if (!state_dict_path && !masks_path && !report_path && !sample_path && !netron_path &&
        !onnx_path && !sparse_path)
        throw UsageError(
            "say what to export: --state-dict F, --masks F, --report F, --io-sample F, "
            "--netron F, --onnx F and/or --sparse F");
    if (args.has("int8") && !sparse_path)
        throw UsageError("--int8 applies to --sparse F");
    if ((args.has("opset") || args.has("onnx-check")) && !onnx_path)
        throw UsageError(std::string(args.has("opset") ? "--opset" : "--onnx-check") +
                         " applies to --onnx F");
    OnnxExportOptions onnx_options;
    onnx_options.opset = int(args.integer_or("opset", kMaxOnnxOpset));
    std::vector<std::string> outputs; // every path before any file is written
    for (const auto& path : {state_dict_path, masks_path, report_path, sample_path, netron_path,
                             onnx_path, sparse_path})
        if (path)
            outputs.push_back(*path);
    check_output_paths(outputs, {model});

    Checkpoint checkpoint = load_model_argument(args, model);
    std::optional<DataSplits> data;
    if (args.has("data"))
        data = load_data_for(args, checkpoint.net->spec());
    const ModelInfo info = describe_model(*checkpoint.net);

    nlohmann::json paths = nlohmann::json::object();
    nlohmann::json onnx_json;
    if (state_dict_path) {
        export_state_dict(*checkpoint.net, *state_dict_path);
        paths["state_dict"] = *state_dict_path;
    }
    if (masks_path) {
        export_masks(checkpoint.masks, *masks_path);
        paths["masks"] = *masks_path;
    }
    ReportContext report;
    if (report_path || netron_path) {
        const auto& metadata = checkpoint.metadata;
        report.data = data ? data->spec : recorded_data(metadata).value_or(std::string());
        report.accuracy_before = metadata_number(metadata, "/pruning/dense_accuracy"_json_pointer);
        report.accuracy_after =
            data ? std::optional<double>(evaluate(*checkpoint.net, data->test).accuracy)
                 : recorded_accuracy(metadata);
        if (metadata.contains("pruning"))
            report.pruning = metadata["pruning"];
        if (report_path) {
            report.storage = storage_sizes(checkpoint);
            export_report(info, report, *report_path);
            paths["report"] = *report_path;
        }
    }
    if (netron_path) {
        // Scores by the criterion the model was pruned with when it needs no data (else, or
        // for a dense model, l1), at its granularity.
        const auto& pruning = checkpoint.metadata.value("pruning", nlohmann::json::object());
        std::string criterion = pruning.value("criterion", std::string("l1"));
        if (criterion_needs_data(criterion) && !data)
            criterion = "l1";
        ImportanceOptions options;
        options.criterion(criterion).granularity(
            parse_granularity(pruning.value("granularity", std::string("weight"))));
        const auto importance =
            compute_importance(*checkpoint.net, data ? &data->test : nullptr, options);
        export_netron_attachment(*checkpoint.net, &importance, report, *netron_path);
        paths["netron"] = *netron_path;
    }
    if (sparse_path) {
        CheckpointStorage storage;
        storage.sparse = true;
        storage.int8 = args.has("int8");
        save_checkpoint(checkpoint, *sparse_path, storage);
        paths["sparse"] = *sparse_path;
    }
    if (onnx_path) {
        OnnxExportSummary onnx;
        const std::string bytes = onnx_model_bytes(*checkpoint.net, onnx_options, &onnx);
        write_file_atomically(*onnx_path, std::vector<char>(bytes.begin(), bytes.end()));
        paths["onnx"] = *onnx_path;
        onnx_json = {{"opset", onnx.opset},
                     {"nodes", onnx.nodes},
                     {"initializers", onnx.initializers},
                     {"bytes", onnx.bytes},
                     {"inputs", onnx.inputs},
                     {"outputs", onnx.outputs},
                     {"operators", onnx.op_types}};
        if (args.has("onnx-check")) {
            // Another batch size than the trace's: the dynamic batch is checked too.
            const OnnxRuntimeCheck check = check_onnx_runtime(*checkpoint.net, bytes);
            onnx_json["runtime_check"] = {{"batch", check.batch},
                                          {"max_relative_error", check.max_relative_error}};
            if (check.max_relative_error > 1e-4)
                throw Error("ONNX Runtime's outputs for " + *onnx_path +
                            " differ from the "
                            "model's by " +
                            std::to_string(check.max_relative_error) +
                            " (relative): the export is wrong, please report it");
            if (!args.has("json"))
                context.out << "ONNX Runtime agrees with the model on " << check.batch
                            << " random samples (max relative difference "
                            << check.max_relative_error << ")\n";
        }
    }
    if (sample_path) {
        write_io_sample(*checkpoint.net, data ? &*data : nullptr, *sample_path);
        paths["io_sample"] = *sample_path;
    }

    if (args.has("json")) {
        nlohmann::json json = {{"command", "export"},
                               {"model", info.spec.name},
                               {"sparsity", info.sparsity()},
                               {"paths", paths}};
        if (onnx_path)
            json["onnx"] = onnx_json;
        if (report_path)
            json["accuracy"] = report.accuracy_after ? nlohmann::json(*report.accuracy_after)
                                                     : nlohmann::json(nullptr);
        print_json_line(context.out, json);
    } else {
        for (const auto& [what, path] : paths.items())
            context.out << "wrote " << what << " " << path.get<std::string>() << "\n";
    }
    return 0;
}

} // namespace prunelab::cli
