#include "engine/pruning/mask_set.h"

#include "engine/core/error.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace prunelab {

bool MaskSet::equals(const MaskSet& other) const
{
    if (m_masks.size() != other.m_masks.size())
        return false;
    for (const auto& [name, mask] : m_masks) {
        const at::Tensor* theirs = other.find(name);
        if (!theirs || !at::equal(mask.to(at::kBool), theirs->to(at::kBool)))
            return false;
    }
    return true;
}
namespace {

at::Tensor& parameter_for(torch::OrderedDict<std::string, at::Tensor>& params,
                          const std::string& name, const at::Tensor& mask)
{
    auto* found = params.find(name);
    if (!found)
        throw Error("mask for '" + name + "' names no parameter of the model");
    if (found->sizes() != mask.sizes())
        throw Error("mask for '" + name + "' has shape " + format_shape(mask.sizes().vec()) +
                    " but the parameter has " + format_shape(found->sizes().vec()));
    return *found;
}

} // namespace

const at::Tensor* MaskSet::find(const std::string& parameter) const
{
    auto it = m_masks.find(parameter);
    return it == m_masks.end() ? nullptr : &it->second;
}

void MaskSet::set(const std::string& parameter, const at::Tensor& mask)
{
    m_masks[parameter] = mask.to(at::kBool).contiguous();
}

void MaskSet::intersect(const std::string& parameter, const at::Tensor& mask)
{
    auto it = m_masks.find(parameter);
    if (it == m_masks.end())
        set(parameter, mask);
    else
        it->second = it->second.logical_and(mask.to(at::kBool)).contiguous();
}

void MaskSet::apply_(PrunableNet& net) const
{
    if (m_masks.empty())
        return;
    at::NoGradGuard no_grad;
    auto params = net.named_parameters(true);
    // Check every mask before touching any weight, so a bad set leaves the model unchanged.
    std::vector<at::Tensor*> targets;
    for (const auto& [name, mask] : m_masks)
        targets.push_back(&parameter_for(params, name, mask));
    size_t i = 0;
    for (const auto& item : m_masks)
        targets[i++]->mul_(item.second);
}

void MaskSet::mask_gradients_(PrunableNet& net) const
{
    if (m_masks.empty())
        return;
    at::NoGradGuard no_grad;
    auto params = net.named_parameters(true);
    for (const auto& [name, mask] : m_masks) {
        auto& param = parameter_for(params, name, mask);
        if (param.grad().defined())
            param.mutable_grad().mul_(mask);
    }
}

std::map<std::string, at::Tensor> MaskSet::to_bool() const
{
    std::map<std::string, at::Tensor> out;
    for (const auto& [name, mask] : m_masks)
        out.emplace(name, mask);
    return out;
}

MaskSet MaskSet::from_tensors(const std::map<std::string, at::Tensor>& masks, PrunableNet& net)
{
    MaskSet set;
    auto params = net.named_parameters(true);
    for (const auto& [name, mask] : masks) {
        parameter_for(params, name, mask);
        set.set(name, mask);
    }
    return set;
}

} // namespace prunelab
