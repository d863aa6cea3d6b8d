#pragma once

#include "engine/models/channel_graph.h"
#include "engine/models/model_info.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace prunelab {

/// Records, during one forward pass, each layer's input and output shapes; used to compute
/// per-layer FLOPs for any input size without hand-written formulas per model.
class LayerTrace
{
public:
    struct Entry
    {
        const torch::nn::Module* module = nullptr;
        std::vector<int64_t> input_shape;
        std::vector<int64_t> output_shape;
        at::Tensor output; ///< kept only when the trace keeps outputs
        at::Tensor input;  ///< kept only when the trace keeps inputs
    };
    /// keep_outputs: also hold each layer's output tensor (and its gradient after backward, when
    /// the output requires grad), for activation- and gradient-based importance; keep_inputs:
    /// each layer's input (Wanda's input norms).
    explicit LayerTrace(bool keep_outputs = false, bool keep_inputs = false)
        : m_keep_outputs(keep_outputs), m_keep_inputs(keep_inputs)
    {}
    void record(const torch::nn::Module* module, const at::Tensor& input, const at::Tensor& output);
    const std::vector<Entry>& entries() const { return m_entries; }
    /// Each layer's calls in order (a recurrent layer's hidden-state Linear runs every step).
    std::unordered_map<const torch::nn::Module*, std::vector<const Entry*>> calls() const;

private:
    bool m_keep_outputs;
    bool m_keep_inputs;
    std::vector<Entry> m_entries;
};

/// Installs a trace for the current thread for the guard's lifetime.
class LayerTraceScope
{
public:
    explicit LayerTraceScope(LayerTrace* trace);
    ~LayerTraceScope();
    LayerTraceScope(const LayerTraceScope&) = delete;
    LayerTraceScope& operator=(const LayerTraceScope&) = delete;

private:
    LayerTrace* m_previous;
};

/// Whether a LayerTraceScope is active on this thread (models that need extra work to report
/// their layers, like TorchScript ones, only do it then).
bool layer_trace_active();

/// Runs a layer and, when a trace is active on this thread, records its shapes.
at::Tensor traced(const torch::nn::Module& module, const at::Tensor& input, at::Tensor output);

/// The base of every model PruneLab prunes: a torch module with a single-tensor forward,
/// its spec, and PyTorch-compatible parameter names (`conv1.weight`, `layer1.0.bn1.bias`).
class PrunableNet : public torch::nn::Module
{
public:
    explicit PrunableNet(ModelSpec spec) : m_spec(std::move(spec)) {}
    /// The primary output: a classifier's [batch, classes] logits, or a model's first output.
    virtual at::Tensor forward(at::Tensor x) = 0;
    /// Every output of one forward pass, in order (a tuple's, list's or dict's tensors, nested
    /// ones flattened, None skipped); the first is forward's. Built-ins have one output.
    virtual std::vector<at::Tensor> forward_all(at::Tensor x) { return {forward(std::move(x))}; }
    /// Whether the primary output is [batch, classes] logits, so accuracy and cross-entropy
    /// apply. Other models (feature maps, embeddings, several outputs) have no classes.
    bool is_classifier() const { return m_spec.num_classes > 0; }
    /// How channels flow from layer to layer (for dependency analysis and compaction).
    virtual ChannelGraph channel_graph() const = 0;
    /// An independent deep copy with the same weights, buffers and training flag (data-parallel
    /// replicas, job copies). Built-ins are rebuilt from their spec; TorchScript nets override.
    virtual std::shared_ptr<PrunableNet> clone() const;
    const ModelSpec& spec() const { return m_spec; }

private:
    ModelSpec m_spec;
};

/// The seed ConvNet: conv1 1→10 k5, max-pool, ReLU, conv2 10→20 k5, max-pool, ReLU,
/// fc1 320→50, ReLU, fc2 50→10 (the classic PyTorch MNIST example, without dropout).
/// `convnet-small` is the same net at half the channels and fc1 → 20 (22% of the parameters) and
/// `convnet-tiny` at 3/6 channels and fc1 → 16 (7%): students for distillation.
class ConvNet : public PrunableNet
{
public:
    explicit ConvNet(ModelSpec spec, int64_t conv1 = 10, int64_t conv2 = 20, int64_t hidden = 50);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::Linear m_fc1{nullptr}, m_fc2{nullptr};
};

/// LeNet-300-100: fc1 784→300, fc2 300→100, fc3 100→classes (Han et al. 2015).
class LeNet300 : public PrunableNet
{
public:
    explicit LeNet300(ModelSpec spec);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    torch::nn::Linear m_fc1{nullptr}, m_fc2{nullptr}, m_fc3{nullptr};
};

/// LeNet-5: conv1 →6 k5 pad 2, conv2 6→16 k5, fc1 →120, fc2 120→84, fc3 84→classes.
class LeNet5 : public PrunableNet
{
public:
    explicit LeNet5(ModelSpec spec);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::Linear m_fc1{nullptr}, m_fc2{nullptr}, m_fc3{nullptr};
};

/// A small VGG for 32×32 input: features (conv3×3-BN-ReLU blocks 64, M, 128, M, 256, 256, M,
/// 512, M), global average pool, classifier Linear 512→classes. Names follow torchvision's VGG
/// (`features.0`, `features.1`, ..., `classifier`).
class VggSmall : public PrunableNet
{
public:
    explicit VggSmall(ModelSpec spec);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    struct Stage
    {
        torch::nn::Conv2d conv{nullptr};
        torch::nn::BatchNorm2d bn{nullptr};
        bool pool_after = false;
    };
    std::vector<Stage> m_stages;
    std::vector<std::string> m_conv_names; ///< "features.0", ...
    std::vector<std::string> m_bn_names;
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Linear m_classifier{nullptr};
};

/// A ResNet basic block (two 3×3 convs with BN, an identity or 1×1-conv shortcut), named as in
/// torchvision: conv1, bn1, conv2, bn2, downsample.0, downsample.1.
class BasicBlock : public torch::nn::Module
{
public:
    /// `inner`: conv1's output channels (conv2's input), `out_channels` in a standard block.
    BasicBlock(int64_t in_channels, int64_t inner, int64_t out_channels, int64_t stride);
    at::Tensor forward(const at::Tensor& x);
    bool has_downsample() const { return !m_down_conv.is_empty(); }

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::Conv2d m_down_conv{nullptr};
    torch::nn::BatchNorm2d m_down_bn{nullptr};
};

/// ResNet with basic blocks. `cifar` layout (ResNet-20: conv1 3×3 16, three stages of three
/// blocks 16/32/64, fc) or ImageNet layout (ResNet-18: conv1 7×7/2 64, max-pool, four stages of
/// two blocks 64..512, fc), with torchvision's names.
class ResNet : public PrunableNet
{
public:
    ResNet(ModelSpec spec, bool cifar_layout, std::vector<int64_t> blocks_per_stage);
    at::Tensor forward(at::Tensor x) override;
    ChannelGraph channel_graph() const override;

private:
    bool m_cifar_layout;
    torch::nn::Conv2d m_conv1{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr};
    std::vector<torch::nn::Sequential> m_stages;
    std::vector<std::vector<std::shared_ptr<BasicBlock>>> m_blocks;
    torch::nn::Linear m_fc{nullptr};
};

} // namespace prunelab

namespace prunelab {

/// A Conv2d or Linear layer with its tensors (shared with the model: changing them changes it).
struct PrunableLayer
{
    std::string name;
    std::string kind; ///< "Conv2d" or "Linear"
    at::Tensor weight;
    at::Tensor bias; ///< undefined when the layer has none
    const torch::nn::Module* module = nullptr;
};

/// The model's Conv2d and Linear layers in registration order, by qualified name.
std::vector<PrunableLayer> prunable_layers(PrunableNet& net);

/// Walks a model: runs one traced forward pass on a zero sample (no gradients, eval mode, the
/// training flag restored afterwards) and reports each Conv2d and Linear with its shapes,
/// parameters, nonzero weights and FLOPs.
ModelInfo describe_model(PrunableNet& net);

/// Refreshes a description's nonzero weights, effective FLOPs and totals from the model's
/// current weights, without describe_model's forward pass: what pruning changes, cheaply.
/// @throws std::out_of_range when `info` describes another model.
void update_weight_counts(ModelInfo& info, PrunableNet& net);

} // namespace prunelab
