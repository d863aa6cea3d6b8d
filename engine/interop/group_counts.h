#pragma once

// Narrowing a depthwise convolution inside a TorchScript model: its weight shrinks with its
// channels, and so must its `groups`, which TorchScript compiles into the code as a constant of
// the module's type — a type shared by every convolution with the same settings, which may be
// narrowed to different widths. So the type is given a per-module attribute instead.

#include <torch/csrc/jit/api/module.h>

#include <set>
#include <string>

namespace prunelab {

/// A copy of `module` (types of its own, by a save/load round trip) in which the convolutions at
/// `layers` (dotted paths) and every module of the same type read their group count from the
/// attribute `prunelab_groups` (= their weight's output channels, a depthwise convolution's
/// group count). Python loads the result as any TorchScript file.
/// @throws prunelab::Error when a layer is missing or its code has no convolution to rewrite.
torch::jit::Module with_depthwise_group_counts(const torch::jit::Module& module,
                                               const std::set<std::string>& layers);

} // namespace prunelab
