#include "engine/compaction/compaction.h"

#include "engine/core/error.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/group_counts.h"
#include "engine/interop/script_net.h"
#include "engine/models/dependency.h"
#include "engine/models/model_factory.h"
#include "engine/models/models.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace prunelab {
namespace {

using Tensors = std::map<std::string, at::Tensor>;
/// Per tensor, per dimension: which entries stay.
using KeepPlan = std::map<std::string, std::map<int64_t, std::vector<bool>>>;

const at::Tensor* find_tensor(const Tensors& tensors, const std::string& name)
{
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
}

/// [channels, everything of one channel]: a member's rows per channel (an attention head's
/// `block` rows, a recurrent unit's row in each of `gates` gates).
at::Tensor channel_rows(const at::Tensor& t, int64_t block, int64_t gates)
{
    const int64_t channels = t.size(0) / (block * gates);
    return t.detach().reshape({gates, channels, -1}).transpose(0, 1).reshape({channels, -1});
}

/// Channels of a group that are zero wherever the group makes them: every producer's filter
/// (or neuron) and bias, every BatchNorm's weight and bias. Those channels carry zeros through
/// the model (ReLU, pooling and sums keep zeros zero), so cutting them changes no output.
std::vector<bool> dead_channels(const ChannelGroup& group, const Tensors& tensors)
{
    auto dead = at::ones({group.channels}, at::kBool);
    // The group's rows of a tensor, from `offset` (a norm after a concatenation spans more).
    auto zero_rows = [&](const std::string& name, int64_t offset = 0, int64_t block = 1,
                         int64_t gates = 1) {
        if (const at::Tensor* t = find_tensor(tensors, name))
            dead &= channel_rows(*t, block, gates)
                        .slice(0, offset, offset + group.channels)
                        .abs()
                        .amax(1)
                        .eq(0);
    };
    for (const auto& member : group.members) {
        if (member.role == GroupMember::Role::Producer) {
            zero_rows(member.layer + ".weight", 0, member.block, member.gates);
            zero_rows(member.layer + ".bias", 0, member.block, member.gates);
        } else if (member.role == GroupMember::Role::Depthwise) {
            zero_rows(member.layer + ".bias", member.offset); // a zero channel in, its bias out
        } else if (member.role == GroupMember::Role::Norm) {
            if (!find_tensor(tensors, member.layer + ".weight"))
                dead.fill_(false); // an affine-free norm turns zeros into −mean/σ
            zero_rows(member.layer + ".weight", member.offset);
            zero_rows(member.layer + ".bias", member.offset);
        }
    }
    const auto flags = dead.contiguous();
    const bool* data = flags.data_ptr<bool>();
    return std::vector<bool>(data, data + group.channels);
}

void drop(KeepPlan& plan, const Tensors& tensors, const std::string& name, int64_t dim,
          const std::vector<bool>& dead, int64_t offset = 0, int64_t block = 1, int64_t gates = 1)
{
    const at::Tensor* t = find_tensor(tensors, name);
    if (!t)
        return;
    auto& keep = plan[name][dim];
    if (keep.empty())
        keep.assign(size_t(t->size(dim)), true);
    const int64_t gate_span = t->size(dim) / gates;
    for (int64_t g = 0; g < gates; ++g)
        for (size_t c = 0; c < dead.size(); ++c)
            if (dead[c])
                for (int64_t i = 0; i < block; ++i)
                    keep.at(size_t(g * gate_span + offset + int64_t(c) * block + i)) = false;
}

at::Tensor cut(const at::Tensor& tensor, const std::map<int64_t, std::vector<bool>>& dims)
{
    at::Tensor out = tensor.detach();
    for (const auto& [dim, keep] : dims) {
        std::vector<int64_t> index;
        for (size_t i = 0; i < keep.size(); ++i)
            if (keep[i])
                index.push_back(int64_t(i));
        out = out.index_select(dim, at::tensor(index, at::kLong));
    }
    return out.contiguous();
}

int64_t parameter_count(PrunableNet& net)
{
    int64_t n = 0;
    for (const auto& p : net.parameters())
        n += p.numel();
    return n;
}

torch::jit::Module submodule(const torch::jit::Module& root, const std::string& path)
{
    torch::jit::Module module = root;
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('.', start);
        if (end == std::string::npos)
            end = path.size();
        module = module.attr(path.substr(start, end - start)).toModule();
        start = end + 1;
    }
    return module;
}

/// The TorchScript module with the cut tensors swapped in (and its size attributes updated
/// where they are attributes rather than constants, so Python's repr tells the truth).
std::shared_ptr<PrunableNet> rebuild_script(const ScriptNet& net, const Tensors& cut_tensors,
                                            const std::set<std::string>& narrowed_depthwise)
{
    torch::jit::Module module;
    {
        at::NoGradGuard no_grad;
        module = net.script().clone();
    }
    for (const auto& [name, tensor] : cut_tensors) {
        const auto dot = name.rfind('.');
        auto owner = submodule(module, dot == std::string::npos ? "" : name.substr(0, dot));
        const std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
        const bool trainable = owner.attr(leaf).toTensor().requires_grad();
        owner.setattr(leaf, tensor.clone().requires_grad_(trainable));
        if (leaf != "weight")
            continue;
        auto set_size = [&](const char* attr, int64_t value) {
            if (owner.hasattr(attr) && !owner.type()->hasConstant(attr) && owner.attr(attr).isInt())
                owner.setattr(attr, value);
        };
        if (tensor.dim() == 2) {
            set_size("out_features", tensor.size(0));
            set_size("in_features", tensor.size(1));
        } else if (tensor.dim() == 4) {
            set_size("out_channels", tensor.size(0));
            set_size("in_channels", tensor.size(1));
        } else {
            set_size("num_features", tensor.size(0));
        }
    }
    if (!narrowed_depthwise.empty())
        module = with_depthwise_group_counts(module, narrowed_depthwise);
    return std::make_shared<ScriptNet>(std::move(module), model_inputs(net.spec()),
                                       "the compacted model");
}

std::shared_ptr<PrunableNet> rebuild_builtin(PrunableNet& net, const Tensors& new_state)
{
    ModelSpec spec = net.spec();
    for (const auto& layer : prunable_layers(net)) {
        const at::Tensor& weight = new_state.at(layer.name + ".weight");
        if (weight.size(0) != layer.weight.size(0) || spec.widths.count(layer.name))
            spec.widths[layer.name] = weight.size(0);
    }
    auto smaller = create_model(spec);
    load_state_dict(*smaller, new_state, "the compacted model");
    return smaller;
}

double output_difference(PrunableNet& a, PrunableNet& b, const CompactionOptions& options,
                         double& scale)
{
    std::vector<int64_t> shape = {options.probe_batch()};
    shape.insert(shape.end(), a.spec().input_shape.begin(), a.spec().input_shape.end());
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed());
    const at::Tensor x = at::randn(shape, gen);
    at::NoGradGuard no_grad;
    const bool a_training = a.is_training(), b_training = b.is_training();
    a.eval();
    b.eval();
    const std::vector<at::Tensor> ya = a.forward_all(x), yb = b.forward_all(x);
    a.train(a_training);
    b.train(b_training);
    if (ya.size() != yb.size())
        throw Error("the compacted model returns " + std::to_string(yb.size()) +
                    " outputs instead of " + std::to_string(ya.size()) + "; nothing was compacted");
    // Every output is compared: a layer that feeds any of them must keep its channels.
    double difference = 0.0;
    scale = 0.0;
    for (size_t i = 0; i < ya.size(); ++i) {
        if (ya[i].sizes() != yb[i].sizes())
            throw Error("the compacted model's output " + std::to_string(i + 1) + " is " +
                        format_shape(yb[i].sizes().vec()) + " instead of " +
                        format_shape(ya[i].sizes().vec()) + "; nothing was compacted");
        scale = std::max(scale, ya[i].abs().max().item<double>());
        difference = std::max(difference, (ya[i] - yb[i]).abs().max().item<double>());
    }
    return difference;
}

} // namespace

CompactionResult compact(PrunableNet& net, const MaskSet& masks, const CompactionOptions& options)
{
    CompactionResult result;
    const DependencyResult dependencies = analyze_dependencies(net);
    result.warnings = dependencies.warnings;
    const Tensors tensors = state_dict(net);
    result.params_before = result.params_after = parameter_count(net);

    KeepPlan plan;
    std::set<std::string> narrowed_depthwise; // their group counts shrink too
    int64_t partly_pruned = 0;
    for (const auto& group : dependencies.groups) {
        if (!group.prunable)
            continue;
        std::vector<bool> dead = dead_channels(group, tensors);
        int64_t removed = std::count(dead.begin(), dead.end(), true);
        if (removed == group.channels) {
            dead[0] = false; // a layer keeps one channel (of zeros) so shapes stay valid
            --removed;
            result.notes.push_back("every channel of '" + group.leader() +
                                   "' is pruned; one (all zero) is kept");
        }
        if (removed == 0) {
            // Filters pruned in some of a group's layers but not all still carry signal.
            for (const auto& layer : group.producers()) {
                const auto rows = channel_rows(tensors.at(layer + ".weight"),
                                               group.producer_block(), group.producer_gates());
                if (rows.abs().amax(1).eq(0).any().item<bool>()) {
                    ++partly_pruned;
                    break;
                }
            }
            continue;
        }
        GroupCompaction change{group.leader(), {}, group.channels, group.channels - removed};
        for (const auto& member : group.members) {
            const std::string& m = member.layer;
            switch (member.role) {
            case GroupMember::Role::Depthwise:
                narrowed_depthwise.insert(m);
                [[fallthrough]];
            case GroupMember::Role::Producer:
                drop(plan, tensors, m + ".weight", 0, dead, member.offset, member.block,
                     member.gates);
                drop(plan, tensors, m + ".bias", 0, dead, member.offset, member.block,
                     member.gates);
                break;
            case GroupMember::Role::Norm:
                for (const char* t : {".weight", ".bias", ".running_mean", ".running_var"})
                    drop(plan, tensors, m + t, 0, dead, member.offset);
                break;
            case GroupMember::Role::Consumer:
                drop(plan, tensors, m + ".weight", 1, dead, member.offset, member.block);
                break;
            }
            if (member.role != GroupMember::Role::Norm)
                change.layers.push_back(m);
        }
        result.groups.push_back(std::move(change));
    }
    if (partly_pruned > 0)
        result.notes.push_back(std::to_string(partly_pruned) +
                               " channel group(s) have pruned filters in some of their layers "
                               "but not all (per-layer pruning of coupled layers); prune by "
                               "filter or neuron to remove them together");
    if (result.groups.empty()) {
        result.notes.push_back("nothing to remove: no channel group has a channel pruned in all "
                               "its layers (prune by filter or neuron first)");
        return result;
    }

    Tensors new_state;
    for (const auto& [name, tensor] : tensors) {
        auto it = plan.find(name);
        new_state[name] = it == plan.end() ? tensor.detach() : cut(tensor, it->second);
    }
    if (const auto* scripted = dynamic_cast<const ScriptNet*>(&net)) {
        Tensors changed;
        for (const auto& [name, dims] : plan)
            changed[name] = new_state.at(name);
        result.net = rebuild_script(*scripted, changed, narrowed_depthwise);
    } else {
        result.net = rebuild_builtin(net, new_state);
    }
    for (const auto& [name, mask] : masks.masks()) {
        auto it = plan.find(name);
        const at::Tensor left = it == plan.end() ? mask : cut(mask, it->second);
        if (!left.all().item<bool>()) // a mask that prunes nothing any more is dropped
            result.masks.set(name, left);
    }
    result.params_after = parameter_count(*result.net);

    double scale = 0.0;
    result.max_abs_diff = output_difference(net, *result.net, options, scale);
    const double allowed = options.tolerance() * std::max(1.0, scale);
    if (!(result.max_abs_diff <= allowed)) {
        std::ostringstream message;
        message << "the compacted model's outputs differ from the pruned model's by "
                << result.max_abs_diff << " (allowed " << allowed
                << "); the model's forward may depend on the removed channels; nothing was "
                   "compacted";
        throw Error(message.str());
    }
    return result;
}

CompactionRecord compaction_record(const CompactionResult& result, const std::string& source)
{
    CompactionRecord record;
    record.source = source;
    for (const auto& g : result.groups)
        record.groups.push_back({{"leader", g.leader},
                                 {"layers", g.layers},
                                 {"channels_before", g.channels_before},
                                 {"channels_after", g.channels_after}});
    record.params_before = result.params_before;
    record.params_after = result.params_after;
    record.max_abs_diff = result.max_abs_diff;
    return record;
}

} // namespace prunelab
