#pragma once

// Copies of a model's weights and buffers: snapshots to restore between sweep points, named
// copies a session keeps (opened, base), and plain copies between two models of one layout.

#include "engine/models/models.h"

#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace prunelab {

using TensorMap = std::map<std::string, at::Tensor>;

/// Copies of a model's named parameters (and buffers, with `with_buffers`).
TensorMap copy_named_state(PrunableNet& net, bool with_buffers);
/// Copies values into a model's parameters and buffers of the same names; names missing from
/// `values` are left as they are.
void load_named_state(PrunableNet& net, const TensorMap& values);
/// Copies every parameter and buffer of `from` into `to`, in registration order (the two are
/// built from one spec).
void copy_state(PrunableNet& from, PrunableNet& to);

/// The model's parameters and buffers, copied at construction, to restore later (between the
/// points of a sweep). Holds a reference to the model: it must outlive the snapshot.
class ModelSnapshot
{
public:
    explicit ModelSnapshot(PrunableNet& net);
    void restore();

private:
    PrunableNet& m_net;
    std::vector<at::Tensor> m_values;
};

} // namespace prunelab
