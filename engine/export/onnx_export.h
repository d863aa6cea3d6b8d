#pragma once

// ONNX export: a built-in or TorchScript model — dense, masked or compacted — written as an ONNX
// model (opset 13 to 17) that ONNX Runtime, TensorRT and OpenVINO read. The graph comes from
// tracing the model's forward; weights keep their PyTorch names as initializers; the batch
// dimension is dynamic. An operation without a translation is an error naming it.

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

constexpr int kMinOnnxOpset = 13;
constexpr int kMaxOnnxOpset = 17;

struct OnnxExportOptions
{
    int opset = kMaxOnnxOpset; ///< 17 has LayerNormalization; older ones decompose it
};

struct OnnxExportSummary
{
    int opset = 0;
    int64_t nodes = 0;
    int64_t initializers = 0;
    int64_t bytes = 0;                 ///< the serialized model's size
    std::vector<std::string> inputs;   ///< graph input names ("input", or forward's arguments)
    std::vector<std::string> outputs;  ///< "output", or "output0", ... / a dict's keys
    std::vector<std::string> op_types; ///< distinct ONNX operators used, sorted
};

/// The model as serialized ONNX bytes, checked by ONNX's own checker and shape inference.
/// @throws prunelab::Error naming what cannot be exported (an operation, a batch-dependent
///         size) or what the checker rejects.
std::string onnx_model_bytes(const PrunableNet& net, const OnnxExportOptions& options = {},
                             OnnxExportSummary* summary = nullptr);

/// onnx_model_bytes written atomically to `path`. @throws prunelab::Error naming the path.
OnnxExportSummary export_onnx(const PrunableNet& net, const std::string& path,
                              const OnnxExportOptions& options = {});

} // namespace prunelab
