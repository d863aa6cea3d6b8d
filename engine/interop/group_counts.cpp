#include "engine/interop/group_counts.h"

#include "engine/core/error.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/serialization/import.h>

#include <sstream>

namespace prunelab {
namespace {

namespace jit = torch::jit;

constexpr const char* kGroupsAttribute = "prunelab_groups";

jit::Module round_trip(const jit::Module& module)
{
    std::stringstream bytes;
    module.save(bytes);
    bytes.seekg(0);
    return jit::load(bytes);
}

jit::Module submodule_at(const jit::Module& root, const std::string& path)
{
    jit::Module module = root;
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('.', start);
        if (end == std::string::npos)
            end = path.size();
        const std::string name = path.substr(start, end - start);
        if (!module.hasattr(name) || !module.attr(name).isModule())
            throw Error("the model has no module '" + path + "'");
        module = module.attr(name).toModule();
        start = end + 1;
    }
    return module;
}

/// Replaces the constant `groups` of every convolution in the type's methods by a read of the
/// attribute. Returns how many it rewrote.
int read_groups_from_attribute(const c10::ClassTypePtr& type)
{
    if (!type->hasAttribute(kGroupsAttribute))
        type->addAttribute(kGroupsAttribute, c10::IntType::get());
    int rewritten = 0;
    for (jit::Function* method : type->methods()) {
        auto graph = jit::toGraphFunction(*method).graph();
        jit::Value* self = graph->inputs()[0];
        for (jit::Node* node : graph->nodes()) {
            const bool conv = node->kind() == c10::aten::conv2d;
            if (!conv && node->kind() != c10::aten::_convolution)
                continue;
            const size_t index = conv ? 6 : 8;
            if (node->inputs().size() <= index || !jit::constant_as<int64_t>(node->input(index)))
                continue;
            jit::WithInsertPoint guard(node);
            node->replaceInput(index, graph->insertGetAttr(self, kGroupsAttribute));
            ++rewritten;
        }
    }
    return rewritten;
}

} // namespace

jit::Module with_depthwise_group_counts(const jit::Module& module,
                                        const std::set<std::string>& layers)
{
    jit::Module fresh = round_trip(module); // types shared with nothing else
    std::set<c10::ClassTypePtr> types;
    for (const auto& layer : layers) {
        const auto type = submodule_at(fresh, layer).type();
        if (types.insert(type).second && read_groups_from_attribute(type) == 0)
            throw Error("cannot narrow '" + layer +
                        "': its code has no convolution with a constant group count");
    }
    // Every module of a rewritten type needs the attribute, narrowed or not.
    for (const auto& item : fresh.named_modules()) {
        if (!types.count(item.value.type()))
            continue;
        const auto weight = item.value.attr("weight").toTensor();
        item.value._ivalue()->setAttr(kGroupsAttribute, weight.size(0));
    }
    return round_trip(fresh); // compiled afresh from the rewritten code
}

} // namespace prunelab
