#pragma once

// Dependency analysis for structured pruning: the groups of channels that must go together.
// A Conv2d filter (or Linear neuron) is one channel of a group; removing it removes the same
// channel from every member: the producers' output rows and biases, the BatchNorms over it, and
// the input columns of every layer that reads it (after a flatten, H·W columns per channel).
// A residual addition joins the channels of everything it sums into one group, as does a
// squeeze-excitation gate's product with its input; a depthwise convolution passes channels
// through, its filters going with them.

#include "engine/models/channel_graph.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace prunelab {

class PrunableNet;

struct GroupMember
{
    enum class Role
    {
        Producer,  ///< layer whose output rows (weight dim 0, bias) are the channels
        Norm,      ///< BatchNorm whose weight, bias and running statistics are the channels
        Consumer,  ///< layer whose input columns (weight dim 1) read the channels
        Depthwise, ///< depthwise Conv2d: one filter (weight dim 0, bias) per channel, and its
                   ///< group count, which compaction shrinks with them
    };
    std::string layer;
    Role role = Role::Producer;
    /// Channel c of the group is entries [offset + c·block, offset + (c+1)·block) of the
    /// member's dimension (block > 1 for a Linear reading a flattened feature map, and for an
    /// attention head's rows in q, k, v and columns in the output projection; offset > 0 after
    /// a concatenation).
    int64_t offset = 0;
    int64_t block = 1;
    /// A recurrent layer's gates (4 for an LSTM, 3 for a GRU) stack their rows: channel c is
    /// that pattern repeated in each of `gates` equal parts of the dimension.
    int64_t gates = 1;
};

struct ChannelGroup
{
    int64_t channels = 0;
    std::vector<GroupMember> members; ///< producers in forward order first
    bool prunable = true;
    /// Why not, when not prunable: "model output", "model input", or the unsupported op.
    std::string reason;

    /// The first producer: the layer that names the group in tables and histograms.
    const std::string& leader() const;
    /// Rows of each producer per channel: an attention head's width (1 for plain channels).
    int64_t producer_block() const;
    /// Gates of each producer: 4 for an LSTM's units, 3 for a GRU's, 1 else.
    int64_t producer_gates() const;
    std::vector<std::string> producers() const;
    bool has_producer(const std::string& layer) const;
};

struct DependencyResult
{
    std::vector<ChannelGroup> groups; ///< every group with a producer, by leader forward order
    /// One per group left intact because of an op PruneLab cannot follow, naming the op.
    std::vector<std::string> warnings;

    /// The group a layer's output channels belong to, or null.
    const ChannelGroup* group_of(const std::string& layer) const;
};

/// A layer's or norm's size, as the analysis needs it.
struct LayerShape
{
    int64_t out = 0;   ///< output channels (features); a norm's channel count
    int64_t in = 0;    ///< input channels (features); 0 for a norm
    bool conv = false; ///< Conv2d (reads [N, C, H, W]) rather than Linear (reads [N, F])
};

/// Groups of a channel graph, given each layer's and norm's shape by name.
/// Ops PruneLab cannot follow make every group they touch unprunable, with a warning.
/// @throws prunelab::Error (from `shape_of`) for a name the model lacks.
DependencyResult
analyze_channel_graph(const ChannelGraph& graph, int64_t input_channels,
                      const std::function<LayerShape(const std::string&)>& shape_of);

/// The groups of a model (built-in or TorchScript).
DependencyResult analyze_dependencies(PrunableNet& net);

} // namespace prunelab
