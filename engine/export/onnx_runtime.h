#pragma once

// Running an exported ONNX file in ONNX Runtime — the runtime deployments use — to check its
// outputs against PruneLab's and to time it. ONNX Runtime comes as the onnxruntime-node npm
// package (its CPU library ships inside); PruneLab runs an embedded script with Node.js, so no
// C++ ONNX Runtime package is needed. scripts/setup.sh installs it into the build folder.

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prunelab {

class PrunableNet;

/// The node_modules folder holding onnxruntime-node: $PRUNELAB_ONNXRUNTIME_DIR, else the one
/// setup.sh filled in the build folder; nullopt when neither has it or Node.js is missing.
std::optional<std::string> onnx_runtime_modules();

struct OnnxRuntimeOptions
{
    int runs = 1;    ///< timed runs
    int warmup = 0;  ///< untimed runs first
    int threads = 0; ///< intra-op threads; 0: ONNX Runtime's default
};

struct OnnxRuntimeResult
{
    std::vector<std::string> output_names;
    std::vector<at::Tensor> outputs; ///< float32, in the model's output order
    std::vector<double> seconds;     ///< one per timed run
};

/// Runs `model_path` on named float inputs. @throws prunelab::Error when ONNX Runtime is not
/// installed (naming how to install it) or rejects the model (with its message).
OnnxRuntimeResult run_onnx_runtime(const std::string& model_path,
                                   const std::vector<std::pair<std::string, at::Tensor>>& inputs,
                                   const OnnxRuntimeOptions& options = {});

struct OnnxRuntimeCheck
{
    int64_t batch = 0;               ///< the batch checked (not the one traced: proves it dynamic)
    double max_relative_error = 0.0; ///< max |ort - torch| / max |torch| over every output
    std::vector<std::string> outputs;
};

/// Runs the model and its ONNX export (`onnx_bytes`, as onnx_model_bytes makes them) on the
/// same random inputs of `batch` samples and compares every output.
/// @throws prunelab::Error when ONNX Runtime fails or an output's shape differs.
OnnxRuntimeCheck check_onnx_runtime(const PrunableNet& net, const std::string& onnx_bytes,
                                    int64_t batch = 5);

} // namespace prunelab
