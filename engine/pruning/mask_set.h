#pragma once

#include <ATen/Tensor.h>

#include <map>
#include <string>

namespace prunelab {

class PrunableNet;

/// Pruning masks by parameter name ("conv1.weight", "conv1.bias", "bn1.weight", ...): true keeps
/// an element, false prunes it. Applying a mask set multiplies the parameters in place, so pruned
/// weights are exactly zero.
class MaskSet
{
public:
    bool empty() const { return m_masks.empty(); }
    size_t size() const { return m_masks.size(); }
    const std::map<std::string, at::Tensor>& masks() const { return m_masks; }
    const at::Tensor* find(const std::string& parameter) const;

    /// The same parameters with the same keep bits.
    bool equals(const MaskSet& other) const;
    /// Sets (replaces) a parameter's mask; stored as bool (a quarter of float's memory traffic,
    /// which is what re-thresholding millions of weights costs).
    void set(const std::string& parameter, const at::Tensor& mask);
    /// Multiplies into the parameter's mask (a new mask when there is none).
    void intersect(const std::string& parameter, const at::Tensor& mask);

    /// parameter *= mask for every masked parameter.
    /// @throws prunelab::Error naming a parameter that the model lacks or whose shape differs.
    void apply_(PrunableNet& net) const;
    /// grad *= mask, so an optimizer step does not move pruned weights.
    void mask_gradients_(PrunableNet& net) const;

    /// As bool tensors, for checkpoints and Python.
    std::map<std::string, at::Tensor> to_bool() const;
    /// From a checkpoint's masks. @throws prunelab::Error for a name or shape the model lacks.
    static MaskSet from_tensors(const std::map<std::string, at::Tensor>& masks, PrunableNet& net);

private:
    std::map<std::string, at::Tensor> m_masks;
};

} // namespace prunelab
