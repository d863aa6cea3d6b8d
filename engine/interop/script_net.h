#pragma once

// TorchScript models made in Python (torch.jit.script or torch.jit.trace, then .save) as
// PrunableNets. The module runs as it is; a tree of stand-in modules mirrors its submodules and
// holds the *same* parameter and buffer tensors under the same qualified names as Python's
// state_dict, so the engine finds Conv2d/Linear layers, masks weights in place, and trains them
// through the TorchScript forward. Header only includes torch's jit API: engine-internal.

#include "engine/models/models.h"

#include <torch/csrc/jit/api/module.h>

#include <memory>
#include <string>

namespace prunelab {

class ScriptNet : public PrunableNet
{
public:
    /// Wraps a loaded module; `inputs` holds one sample's shape (any rank) of each argument of
    /// its forward — several inputs take packed samples (ModelSpec::inputs). Its output may be
    /// a tensor of any rank or a tuple, list, dict or named tuple of them: a single
    /// [batch, classes] tensor (or a first output of that shape) makes it a classifier.
    /// @throws prunelab::Error when the module has no Conv2d or Linear, its forward rejects
    ///         that shape or returns no tensor (the message names `label` and both).
    ScriptNet(torch::jit::Module module, const InputShapes& inputs, const std::string& label);

    /// With a LayerTrace active (shapes, FLOPs, activation and gradient scores) the forward runs
    /// an instrumented copy of the module's graph that also returns every Conv2d/Linear input
    /// and output, and records them for the stand-in layers. It runs unoptimized, op by op, so
    /// gradients reach those outputs.
    at::Tensor forward(at::Tensor x) override;
    std::vector<at::Tensor> forward_all(at::Tensor x) override;
    ChannelGraph channel_graph() const override { return m_channels; }
    void train(bool on = true) override;

    /// An independent deep copy of the module and its mirror (data-parallel replicas, job copies).
    std::shared_ptr<PrunableNet> clone() const override;
    /// The module with the current weights (masks applied in place).
    const torch::jit::Module& script() const { return m_module; }
    /// Saves the module (with the pruning folded into its weights) to a temporary file and
    /// renames it into place, its input shape stored beside the code (kInputShapeExtraFile), so
    /// it reopens without --input-shape. @throws prunelab::Error naming the path.
    void save(const std::string& path) const;

private:
    ScriptNet(torch::jit::Module module, ModelSpec spec, ChannelGraph channels);
    void mirror();
    void read_channel_graph();
    void instrument();
    std::vector<at::Tensor> traced_forward(const at::Tensor& x);
    /// The forward's arguments for a batch of packed samples (one tensor for one input).
    std::vector<c10::IValue> arguments(const at::Tensor& x) const;

    torch::jit::Module m_module;
    ChannelGraph m_channels;
    struct Probe
    {
        std::string layer;
        const torch::nn::Module* standin = nullptr;
    };
    std::shared_ptr<torch::jit::Function> m_instrumented; ///< built on first traced forward
    std::vector<Probe> m_probes;
    bool m_instrument_failed = false;
};

/// Whether a file is a TorchScript archive (a zip with the module's code and constants).
bool is_torchscript_file(const std::string& path);

/// Loads a TorchScript file. One sample's input shapes: `inputs` when given (the user's
/// --input-shape), else the shapes stored in the archive (PruneLab writes them), else
/// `fallback_shape` (the data set's, for a model with one input), else an error naming the
/// flags — never a guess.
/// @throws prunelab::Error naming the file: unreadable, a plain torch.save pickle rather than
/// TorchScript, no prunable layer, an unknown input shape, a forward that rejects the shape.
std::shared_ptr<ScriptNet> load_script_net(const std::string& path, InputShapes inputs,
                                           const std::vector<int64_t>& fallback_shape = {});

} // namespace prunelab
