#include "engine/export/onnx_export.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/version.h"
#include "engine/export/onnx_writer.h"
#include "engine/models/models.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <cstdlib>
#include <iostream>
#include <set>

namespace prunelab {

std::string onnx_model_bytes(const PrunableNet& net, const OnnxExportOptions& options,
                             OnnxExportSummary* summary)
{
    if (options.opset < kMinOnnxOpset || options.opset > kMaxOnnxOpset)
        throw Error("ONNX opset " + std::to_string(options.opset) + " is not supported (" +
                    std::to_string(kMinOnnxOpset) + " to " + std::to_string(kMaxOnnxOpset) + ")");
    const TracedModel traced = trace_for_export(net);
    // For reporting an operation the exporter lacks: the graph it was written from.
    if (std::getenv("PRUNELAB_ONNX_PRINT_TRACE"))
        std::cerr << "ONNX export: traced graph\n" << traced.graph->toString() << std::flush;

    onnx::ModelProto model;
    model.set_ir_version(8); // ONNX 1.12's; ONNX Runtime reads it
    model.set_producer_name("PruneLab");
    model.set_producer_version(kVersion);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(options.opset);
    auto* graph = model.mutable_graph();
    graph->set_name(net.spec().name.empty() ? "model" : net.spec().name);

    OnnxWriter writer(traced, options.opset, *graph);
    for (const torch::jit::Node* node : traced.graph->nodes())
        write_onnx_node(writer, node);
    writer.finish();

    try {
        onnx::checker::check_model(model);
        onnx::ModelProto inferred = model;
        onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                           onnx::ShapeInferenceOptions{true, 1, false});
    } catch (const std::exception& e) {
        throw Error(std::string("ONNX export produced a model the ONNX checker rejects (a "
                                "PruneLab bug, please report it): ") +
                    e.what());
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes))
        throw Error("ONNX export: the model could not be serialized (over 2 GB?)");
    if (summary) {
        summary->opset = options.opset;
        summary->nodes = graph->node_size();
        summary->initializers = graph->initializer_size();
        summary->bytes = int64_t(bytes.size());
        summary->inputs.clear();
        summary->outputs.clear();
        for (const auto& input : graph->input())
            summary->inputs.push_back(input.name());
        for (const auto& output : graph->output())
            summary->outputs.push_back(output.name());
        std::set<std::string> ops;
        for (const auto& node : graph->node())
            ops.insert(node.op_type());
        summary->op_types.assign(ops.begin(), ops.end());
    }
    return bytes;
}

OnnxExportSummary export_onnx(const PrunableNet& net, const std::string& path,
                              const OnnxExportOptions& options)
{
    OnnxExportSummary summary;
    const std::string bytes = onnx_model_bytes(net, options, &summary);
    write_file_atomically(path, std::vector<char>(bytes.begin(), bytes.end()));
    return summary;
}

} // namespace prunelab
