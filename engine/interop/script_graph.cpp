#include "engine/interop/script_graph.h"

#include "engine/interop/script_attention.h"

#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace prunelab {
namespace jit = torch::jit;

std::string attribute_path(jit::Value* value, jit::Value* self)
{
    std::vector<std::string> parts;
    while (value != self) {
        jit::Node* node = value->node();
        if (node->kind() != c10::prim::GetAttr)
            return {};
        parts.insert(parts.begin(), node->s(c10::attr::name));
        value = node->input(0);
    }
    std::string path;
    for (const auto& p : parts)
        path += (path.empty() ? "" : ".") + p;
    return path;
}

namespace {

std::optional<c10::IValue> module_attribute(const jit::Module& module, const std::string& path)
{
    c10::IValue value = module._ivalue();
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('.', start);
        if (end == std::string::npos)
            end = path.size();
        if (!value.isObject())
            return std::nullopt;
        const auto object = value.toObject();
        const std::string name = path.substr(start, end - start);
        if (!object->type()->hasAttribute(name))
            return std::nullopt;
        value = object->getAttr(name);
        start = end + 1;
    }
    return value;
}

} // namespace

namespace {

/// `key in self.d` and `self.d[key]` on a dict the module holds, with a constant key, become
/// constants (torchvision's IntermediateLayerGetter: `if name in self.return_layers:
/// out[self.return_layers[name]] = x`), so the branch not taken disappears and the stored key
/// is known. Returns whether any was folded.
bool fold_dict_lookups(jit::Graph& graph, const jit::Module& module)
{
    jit::Value* self = graph.inputs()[0];
    std::vector<jit::Node*> lookups;
    std::function<void(jit::Block*)> find = [&](jit::Block* block) {
        for (jit::Node* node : block->nodes()) {
            const std::string kind = node->kind().toQualString();
            if ((kind == "aten::__contains__" || kind == "aten::__getitem__") &&
                node->inputs().size() == 2 &&
                node->input(0)->type()->kind() == c10::TypeKind::DictType &&
                node->input(0)->node()->kind() == c10::prim::GetAttr)
                lookups.push_back(node);
            for (jit::Block* inner : node->blocks())
                find(inner);
        }
    };
    find(graph.block());
    bool folded = false;
    for (jit::Node* node : lookups) {
        const auto key = jit::toIValue(node->input(1));
        const auto dict = module_attribute(module, attribute_path(node->input(0), self));
        if (!key || !key->isString() || !dict || !dict->isGenericDict())
            continue;
        const auto entries = dict->toGenericDict();
        const bool contains = entries.contains(*key);
        c10::IValue result;
        if (node->kind().toQualString() == std::string("aten::__contains__"))
            result = contains;
        else if (contains)
            result = entries.at(*key);
        else
            continue; // a KeyError at run time: leave it
        jit::WithInsertPoint guard(node);
        node->output()->replaceAllUsesWith(graph.insertConstant(result));
        folded = true;
    }
    return folded;
}

} // namespace

std::shared_ptr<jit::Graph> inlined_forward(const jit::Module& module)
{
    auto graph = module.get_method("forward").graph()->copy();
    jit::Inline(*graph);
    jit::Value* self = graph->inputs()[0];
    std::vector<jit::Node*> flags;
    for (jit::Node* node : graph->nodes())
        if (node->kind() == c10::prim::GetAttr &&
            node->output()->type()->kind() == c10::TypeKind::BoolType &&
            node->s(c10::attr::name) != "training")
            flags.push_back(node);
    for (jit::Node* node : flags) {
        const auto value = module_attribute(module, attribute_path(node->output(), self));
        if (!value || !value->isBool())
            continue;
        jit::WithInsertPoint guard(node);
        node->output()->replaceAllUsesWith(graph->insertConstant(*value));
    }
    const bool looked_up = fold_dict_lookups(*graph, module);
    if (!flags.empty() || looked_up) {
        jit::ConstantPropagation(graph);
        jit::EliminateDeadCode(graph);
    }
    return graph;
}

namespace {

/// Element-wise ops with f(0) = 0 that keep channels where they are (and pruned ones at zero).
bool passes_channels(c10::Symbol kind)
{
    static const std::set<std::string> names = {
        "aten::relu", "aten::relu_", "aten::relu6", "aten::relu6_", "aten::mish", "aten::mish_",
        "aten::selu", "aten::selu_", "aten::celu", "aten::celu_", "aten::hardtanh",
        "aten::hardtanh_", "aten::leaky_relu", "aten::leaky_relu_", "aten::elu", "aten::elu_",
        "aten::silu", "aten::silu_", "aten::gelu", "aten::hardswish", "aten::hardswish_",
        "aten::tanh", "aten::max_pool2d", "aten::avg_pool2d", "aten::adaptive_avg_pool2d",
        "aten::adaptive_max_pool2d", "aten::dropout", "aten::dropout_", "aten::feature_dropout",
        "aten::contiguous", "aten::clone", "aten::detach", "prim::unchecked_cast",
        // resizing mixes positions, never channels, and
        // keeps a zero map zero
        "aten::upsample_nearest1d", "aten::upsample_nearest2d", "aten::upsample_nearest3d",
        "aten::upsample_linear1d", "aten::upsample_bilinear2d", "aten::upsample_bicubic2d",
        "aten::upsample_trilinear3d"};
    return names.count(kind.toQualString()) > 0;
}

std::optional<std::vector<int64_t>> int_list(jit::Value* value)
{
    if (auto constant = jit::toIValue(value); constant && constant->isIntList())
        return constant->toIntVector();
    if (value->node()->kind() != c10::prim::ListConstruct)
        return std::nullopt;
    std::vector<int64_t> out;
    for (jit::Value* item : value->node()->inputs()) {
        const auto i = jit::constant_as<int64_t>(item);
        if (!i)
            return std::nullopt;
        out.push_back(*i);
    }
    return out;
}

/// A constant string or int, or nothing (jit::constant_as throws for a constant of another
/// type).
std::optional<std::string> constant_string(jit::Value* value)
{
    const auto constant = jit::toIValue(value);
    if (!constant || !constant->isString())
        return std::nullopt;
    return constant->toStringRef();
}

std::string layer_of(jit::Value* weight, jit::Value* self)
{
    const std::string path = attribute_path(weight, self);
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || path.substr(dot) != ".weight")
        return {};
    return path.substr(0, dot);
}

class Walker
{
public:
    Walker(jit::Graph& graph, const std::set<std::string>& layers)
        : m_graph(graph), m_layers(layers), m_self(graph.inputs()[0]),
          m_attentions(find_script_attentions(graph))
    {
        // Every input (after self) brings channels that cannot change.
        for (size_t i = 1; i < graph.inputs().size(); ++i)
            m_ids[graph.inputs()[i]] = m_channels.input();
    }

    ChannelGraph run()
    {
        for (jit::Node* node : m_graph.nodes())
            visit(node);
        for (jit::Value* out : m_graph.outputs())
            for (int id : tracked(out))
                m_channels.output(id);
        return std::move(m_channels);
    }

private:
    /// The channel-graph values a jit value carries (a list or tuple carries several).
    std::vector<int> tracked(jit::Value* value) const
    {
        if (auto it = m_ids.find(value); it != m_ids.end())
            return {it->second};
        if (auto it = m_lists.find(value); it != m_lists.end())
            return it->second;
        return {};
    }
    bool is_tracked(jit::Value* value) const { return !tracked(value).empty(); }

    /// A tensor, or a list or tuple that holds tensors (chunk, split, unbind, ...).
    static bool holds_tensors(const c10::TypePtr& type)
    {
        if (type->kind() == c10::TypeKind::TensorType)
            return true;
        for (const auto& contained : type->containedTypes())
            if (holds_tensors(contained))
                return true;
        return false;
    }

    static bool makes_tensor(jit::Node* node)
    {
        return std::any_of(node->outputs().begin(), node->outputs().end(),
                           [](jit::Value* v) { return holds_tensors(v->type()); });
    }

    /// Tracked values a node reads. Inside a branch or loop only what makes tensors counts:
    /// `if x.dim() != 4: raise ...` reads a shape, not channels.
    void collect(jit::Node* node, std::vector<int>& out, bool nested = false) const
    {
        if (!nested || makes_tensor(node) || node->kind() == c10::prim::ListConstruct ||
            node->kind() == c10::prim::TupleConstruct || node->kind() == c10::prim::DictConstruct)
            for (jit::Value* input : node->inputs())
                for (int id : tracked(input))
                    out.push_back(id);
        for (jit::Block* block : node->blocks()) {
            for (jit::Node* inner : block->nodes())
                collect(inner, out, true);
            for (jit::Value* result : block->outputs())
                for (int id : tracked(result))
                    out.push_back(id);
        }
    }

    void map_outputs(jit::Node* node, int id)
    {
        for (jit::Value* output : node->outputs()) {
            if (output->type()->kind() == c10::TypeKind::TensorType)
                m_ids[output] = id;
            else if (holds_tensors(output->type()))
                m_lists[output] = {id}; // unpacking it reads these channels too
        }
    }

    void visit(jit::Node* node)
    {
        if (m_attentions.steps.count(node))
            return; // inside an attention: the joining reshape stands for it all
        if (auto match = m_attentions.by_join.find(node); match != m_attentions.by_join.end()) {
            const ScriptAttention& m = match->second;
            const auto q = tracked(m.q), k = tracked(m.k), v = tracked(m.v);
            if (q.size() == 1 && k.size() == 1 && v.size() == 1) {
                map_outputs(node, m_channels.attention(std::string("attention"), q[0], k[0], v[0],
                                                       0, m.head_width));
                return;
            }
            // Not followed after all: everything it reads is blocked by an opaque op.
            std::vector<int> ins = q;
            ins.insert(ins.end(), k.begin(), k.end());
            ins.insert(ins.end(), v.begin(), v.end());
            map_outputs(node, m_channels.opaque("an attention PruneLab cannot follow", ins));
            return;
        }
        if (node->kind() == c10::prim::If) {
            visit_branches(node);
            return;
        }
        if (visit_container(node))
            return;
        std::vector<int> ins;
        collect(node, ins);
        if (ins.empty())
            return;
        const auto kind = node->kind();
        if (kind == c10::prim::TupleConstruct) {
            m_lists[node->output()] = ins;
            return;
        }
        forget_layout_of_inputs(node);
        if (!node->blocks().empty()) {
            // A loop: what it reads or appends is not followed, so every container it touches
            // carries its opaque result from here on.
            const int id = m_channels.opaque(std::string(kind.toQualString()), ins);
            map_outputs(node, id);
            poison_containers(node, id);
            return;
        }
        if (!makes_tensor(node))
            return; // size(), dim(), ...: reads shapes, not channels
        if (const auto id = translate(node)) {
            map_outputs(node, *id);
            return;
        }
        std::string op = kind.toQualString();
        if ((kind == c10::aten::conv2d || kind == c10::aten::_convolution) &&
            node->inputs().size() > 1) {
            const std::string layer = layer_of(node->input(1), m_self);
            if (!layer.empty())
                op = "the grouped (depthwise) convolution '" + layer + "'";
        }
        map_outputs(node, m_channels.opaque(op, ins));
    }

    static bool is_container(jit::Value* value)
    {
        const auto kind = value->type()->kind();
        return kind == c10::TypeKind::ListType || kind == c10::TypeKind::DictType;
    }

    /// Lists and dicts, whose contents TorchScript may change in place (`out[name] = x` in
    /// torchvision's IntermediateLayerGetter, `features.append(x)` in DenseNet): the channel
    /// value of each element (-1: none, -2: several) or of each constant key is followed through
    /// construction, appends and stores, and read back by index or key. Returns whether the
    /// node was such an operation.
    bool visit_container(jit::Node* node)
    {
        const std::string kind = node->kind().toQualString();
        auto element = [&](jit::Value* value) {
            const auto ids = tracked(value);
            return ids.empty() ? -1 : ids.size() == 1 ? ids[0] : -2;
        };
        auto add_reads = [&](jit::Value* container, int id) {
            if (id >= 0)
                m_lists[container].push_back(id);
            else if (id == -2)
                for (int each : tracked(container))
                    m_lists[container].push_back(each);
        };
        if (kind == "prim::ListConstruct") {
            std::vector<int> elements;
            for (jit::Value* input : node->inputs()) {
                elements.push_back(element(input));
                for (int id : tracked(input))
                    m_lists[node->output()].push_back(id);
            }
            m_elements[node->output()] = elements;
            return true;
        }
        if (kind == "aten::dict" && node->inputs().empty()) {
            m_keys[node->output()] = {}; // `out = OrderedDict()`, filled by key below
            return true;
        }
        if (kind == "prim::DictConstruct") {
            auto& keys = m_keys[node->output()];
            for (size_t i = 0; i + 1 < node->inputs().size(); i += 2) {
                const auto key = constant_string(node->input(i));
                const int id = element(node->input(i + 1));
                if (key)
                    keys[*key] = id;
                for (int each : tracked(node->input(i + 1)))
                    m_lists[node->output()].push_back(each);
                if (!key && id != -1)
                    m_keys.erase(node->output()); // a computed key: contents unknown
            }
            return true;
        }
        if (node->inputs().empty() || !is_container(node->input(0)))
            return false;
        jit::Value* container = node->input(0);
        if (kind == "aten::append" && node->inputs().size() == 2) {
            const int id = element(node->input(1));
            if (auto it = m_elements.find(container); it != m_elements.end())
                it->second.push_back(id);
            add_reads(container, id);
            if (node->outputs().size() == 1 && m_lists.count(container))
                m_lists[node->output()] = m_lists[container];
            return true;
        }
        if (kind == "aten::_set_item" && node->inputs().size() == 3) {
            const int id = element(node->input(2));
            if (const auto key = constant_string(node->input(1)); key && m_keys.count(container))
                m_keys[container][*key] = id;
            else if (const auto index = constant_int(node->input(1));
                     index && m_elements.count(container) && *index >= 0 &&
                     *index < int64_t(m_elements[container].size()))
                m_elements[container][size_t(*index)] = id;
            else {
                m_keys.erase(container);
                m_elements.erase(container);
            }
            add_reads(container, id);
            return true;
        }
        if ((kind == "aten::__getitem__" || kind == "aten::get") && node->outputs().size() == 1 &&
            node->output()->type()->kind() == c10::TypeKind::TensorType) {
            std::optional<int> id;
            if (const auto key = constant_string(node->input(1));
                key && m_keys.count(container) && m_keys[container].count(*key))
                id = m_keys[container][*key];
            else if (const auto index = constant_int(node->input(1));
                     index && m_elements.count(container)) {
                const auto& elements = m_elements[container];
                const int64_t at = *index < 0 ? *index + int64_t(elements.size()) : *index;
                if (at >= 0 && at < int64_t(elements.size()))
                    id = elements[size_t(at)];
            }
            if (!id || *id == -2)
                return false; // read as a whole: opaque over everything it may hold
            if (*id >= 0)
                m_ids[node->output()] = *id;
            return true;
        }
        if (kind == "prim::ListUnpack" && m_elements.count(container) &&
            m_elements[container].size() == node->outputs().size()) {
            const auto& elements = m_elements[container];
            if (std::any_of(elements.begin(), elements.end(), [](int id) { return id == -2; }))
                return false;
            for (size_t i = 0; i < elements.size(); ++i)
                if (elements[i] >= 0)
                    m_ids[node->outputs()[i]] = elements[i];
            return true;
        }
        return false;
    }

    /// A node that takes a container and is none of the operations above may reorder or
    /// change it (pop, insert, sort, a call): its elements and keys are no longer known.
    void forget_layout_of_inputs(jit::Node* node)
    {
        const std::string kind = node->kind().toQualString();
        if (kind == "aten::cat" || kind == "aten::len" || kind == "aten::__getitem__")
            return;
        for (jit::Value* input : node->inputs()) {
            m_elements.erase(input);
            m_keys.erase(input);
        }
    }

    void forget_layout_of_changed(jit::Node* node)
    {
        for (jit::Block* block : node->blocks())
            for (jit::Node* inner : block->nodes()) {
                const std::string kind = inner->kind().toQualString();
                if ((kind == "aten::append" || kind == "aten::_set_item") &&
                    !inner->inputs().empty()) {
                    m_elements.erase(inner->input(0));
                    m_keys.erase(inner->input(0));
                }
                forget_layout_of_changed(inner);
            }
    }

    /// Marks every container read inside a node's blocks with `id`.
    void poison_containers(jit::Node* node, int id)
    {
        for (jit::Block* block : node->blocks())
            for (jit::Node* inner : block->nodes()) {
                for (jit::Value* input : inner->inputs())
                    if (is_container(input)) {
                        m_lists[input].push_back(id);
                        m_elements.erase(input);
                        m_keys.erase(input);
                    }
                poison_containers(inner, id);
            }
    }

    /// An if/else (stochastic depth's `if not training: return x`, an optional auxiliary head):
    /// the ops of both branches join the graph, and each output carries what its branches
    /// return — one value when they agree, else all of them (which only a list may hold).
    void visit_branches(jit::Node* node)
    {
        for (jit::Block* block : node->blocks())
            for (jit::Node* inner : block->nodes())
                visit(inner);
        // A container changed in one branch may or may not hold the change afterwards: what it
        // holds stays read (m_lists), but not where (its elements and keys).
        forget_layout_of_changed(node);
        for (size_t i = 0; i < node->outputs().size(); ++i) {
            std::vector<int> ids;
            for (jit::Block* block : node->blocks())
                for (int id : tracked(block->outputs()[i]))
                    if (std::find(ids.begin(), ids.end(), id) == ids.end())
                        ids.push_back(id);
            jit::Value* output = node->outputs()[i];
            if (ids.size() == 1 && output->type()->kind() == c10::TypeKind::TensorType)
                m_ids[output] = ids[0];
            else if (!ids.empty())
                m_lists[output] = ids;
        }
    }

    /// Whether a value is computed from a tensor the module holds (a parameter or buffer)
    /// other than through the channels being followed (a noise mask shaped like them is not).
    bool reads_module_tensor(jit::Value* value, int depth = 0) const
    {
        jit::Node* node = value->node();
        if (node->kind() == c10::prim::GetAttr)
            return value->type()->kind() == c10::TypeKind::TensorType;
        if (depth > 12 || node->kind() == c10::prim::Param || is_tracked(value))
            return false;
        return std::any_of(node->inputs().begin(), node->inputs().end(), [&](jit::Value* input) {
            return reads_module_tensor(input, depth + 1);
        });
    }

    /// The `groups` argument of a convolution, when it is a constant.
    static std::optional<int64_t> groups_of(jit::Node* node)
    {
        const size_t index = node->kind() == c10::aten::conv2d ? 6 : 8;
        if (node->inputs().size() <= index)
            return std::nullopt;
        const auto groups = jit::constant_as<int64_t>(node->input(index));
        return groups ? std::optional<int64_t>(*groups) : std::nullopt;
    }

    /// The channel-graph value of a node PruneLab understands, or nothing.
    std::optional<int> translate(jit::Node* node)
    {
        const auto kind = node->kind();
        if (kind == c10::aten::cat)
            return concatenation(node);
        jit::Value* x = node->inputs().empty() ? nullptr : node->input(0);
        if (!x || !is_tracked(x) || tracked(x).size() != 1)
            return std::nullopt;
        const int in = tracked(x)[0];
        if (kind == c10::aten::conv2d || kind == c10::aten::_convolution ||
            kind == c10::aten::linear) {
            const std::string layer = layer_of(node->input(1), m_self);
            if (m_layers.count(layer))
                return m_channels.layer(layer, in);
            const auto groups = kind == c10::aten::linear ? std::nullopt : groups_of(node);
            if (!layer.empty() && groups && *groups > 1) // the analysis checks it is depthwise
                return m_channels.depthwise(layer, in, *groups);
            return std::nullopt;
        }
        if (kind == c10::aten::batch_norm) {
            const std::string norm = layer_of(node->input(1), m_self);
            if (norm.empty())
                return std::nullopt;
            return m_channels.norm(norm, in);
        }
        if (passes_channels(kind))
            return in;
        const std::string name = kind.toQualString();
        if (name == "aten::add" || name == "aten::add_" || name == "aten::sub" ||
            name == "aten::sub_") {
            jit::Value* other = node->input(1);
            if (is_tracked(other) && tracked(other).size() == 1)
                return m_channels.add(in, tracked(other)[0]);
            return std::nullopt; // x + constant: a pruned channel would not stay zero
        }
        if (name == "aten::sigmoid" || name == "aten::sigmoid_" || name == "aten::hardsigmoid" ||
            name == "aten::hardsigmoid_")
            return m_channels.gate(name, in);
        if (name == "aten::mul" || name == "aten::mul_" || name == "aten::div" ||
            name == "aten::div_") {
            jit::Value* other = node->input(1);
            if (!is_tracked(other)) {
                // A scalar, or a tensor that carries no channels (stochastic depth's noise):
                // zeros stay zero. A module's tensor (a layer scale) may hold one entry per
                // channel that compaction would have to cut: not followed.
                if (reads_module_tensor(other))
                    return std::nullopt;
                return in;
            }
            if ((name == "aten::mul" || name == "aten::mul_") && tracked(other).size() == 1)
                return m_channels.mul(in, tracked(other)[0]); // a gate times its input
            return std::nullopt;
        }
        if (kind == c10::aten::flatten) {
            const auto start = jit::constant_as<int64_t>(node->input(1));
            const auto end = jit::constant_as<int64_t>(node->input(2));
            if (start == 1 && end == -1)
                return m_channels.flatten(in);
            if (start && *start >= 2)
                return in;
            return std::nullopt;
        }
        if (kind == c10::aten::view || kind == c10::aten::reshape) {
            const auto sizes = int_list(node->input(1));
            // view(x.size(0), -1): the size(0) is not a constant, the -1 is.
            const auto n = node->input(1)->node();
            if (n->kind() == c10::prim::ListConstruct && n->inputs().size() == 2 &&
                jit::constant_as<int64_t>(n->input(1)) == -1)
                return m_channels.flatten(in);
            if (sizes && sizes->size() == 2 && (*sizes)[1] == -1)
                return m_channels.flatten(in);
            return std::nullopt;
        }
        if (kind == c10::aten::mean) {
            const auto dims = int_list(node->input(1));
            const auto keepdim = jit::constant_as<bool>(node->input(2));
            if (!dims || !keepdim)
                return std::nullopt;
            for (int64_t d : *dims)
                if (d == 0 || d == 1 || d == -3 || d == -4)
                    return std::nullopt;
            return *keepdim ? in : m_channels.global_pool(in);
        }
        return std::nullopt;
    }

    std::optional<int> concatenation(jit::Node* node)
    {
        const auto elements = m_elements.find(node->input(0));
        if (jit::constant_as<int64_t>(node->input(1)) != 1 || elements == m_elements.end())
            return std::nullopt;
        std::vector<int> parts;
        for (int id : elements->second) {
            if (id < 0)
                return std::nullopt; // a part that is not followed, or several
            parts.push_back(id);
        }
        return m_channels.cat(parts);
    }

    jit::Graph& m_graph;
    const std::set<std::string>& m_layers;
    jit::Value* m_self;
    ChannelGraph m_channels;
    std::map<jit::Value*, int> m_ids;
    std::map<jit::Value*, std::vector<int>> m_lists;
    std::map<jit::Value*, std::vector<int>> m_elements;       ///< a list's, in order
    std::map<jit::Value*, std::map<std::string, int>> m_keys; ///< a dict's, by key
    ScriptAttentions m_attentions;
};

} // namespace

ChannelGraph script_channel_graph(jit::Graph& graph, const std::set<std::string>& layers)
{
    return Walker(graph, layers).run();
}

} // namespace prunelab
