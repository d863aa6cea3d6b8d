#pragma once

// Reading a TorchScript module's forward graph: inlined, with the module's fixed bool flags
// folded in, and translated into a ChannelGraph for dependency analysis. Engine-internal (jit
// headers).

#include "engine/models/channel_graph.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <memory>
#include <set>
#include <string>

namespace prunelab {

/// A copy of the module's forward with every call inlined and every bool attribute other than
/// `training` (torchvision's `use_res_connect`, ...) replaced by its value, so the branches on
/// them disappear and every layer call sits at the top level of the graph.
std::shared_ptr<torch::jit::Graph> inlined_forward(const torch::jit::Module& module);

/// "layer1.0.conv1.weight" for a chain of GetAttr from `self`; empty for anything else.
std::string attribute_path(torch::jit::Value* value, torch::jit::Value* self);

/// How channels flow through an inlined forward. `layers`: the Conv2d (groups 1) and Linear
/// layers PruneLab prunes, by qualified name; any other op that takes their channels in a way
/// PruneLab cannot follow becomes an opaque op named by its kind ("aten::sigmoid").
ChannelGraph script_channel_graph(torch::jit::Graph& graph, const std::set<std::string>& layers);

} // namespace prunelab
