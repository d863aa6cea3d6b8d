#include "engine/models/model_state.h"

#include <c10/core/GradMode.h>

namespace prunelab {

TensorMap copy_named_state(PrunableNet& net, bool with_buffers)
{
    TensorMap out;
    for (const auto& item : net.named_parameters())
        out[item.key()] = item.value().detach().clone();
    if (with_buffers)
        for (const auto& item : net.named_buffers())
            out[item.key()] = item.value().detach().clone();
    return out;
}

void load_named_state(PrunableNet& net, const TensorMap& values)
{
    at::NoGradGuard no_grad;
    for (auto& item : net.named_parameters())
        if (auto it = values.find(item.key()); it != values.end())
            item.value().copy_(it->second);
    for (auto& item : net.named_buffers())
        if (auto it = values.find(item.key()); it != values.end())
            item.value().copy_(it->second);
}

void copy_state(PrunableNet& from, PrunableNet& to)
{
    at::NoGradGuard no_grad;
    auto src_params = from.parameters();
    auto dst_params = to.parameters();
    for (size_t i = 0; i < src_params.size(); ++i)
        dst_params[i].copy_(src_params[i]);
    auto src_buffers = from.buffers();
    auto dst_buffers = to.buffers();
    for (size_t i = 0; i < src_buffers.size(); ++i)
        dst_buffers[i].copy_(src_buffers[i]);
}

ModelSnapshot::ModelSnapshot(PrunableNet& net) : m_net(net)
{
    for (const auto& t : net.parameters())
        m_values.push_back(t.detach().clone());
    for (const auto& t : net.buffers())
        m_values.push_back(t.detach().clone());
}

void ModelSnapshot::restore()
{
    at::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& t : m_net.parameters())
        t.copy_(m_values[i++]);
    for (auto& t : m_net.buffers())
        t.copy_(m_values[i++]);
}

} // namespace prunelab
