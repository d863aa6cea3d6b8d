#include "engine/models/dependency.h"

#include "engine/core/error.h"
#include "engine/models/models.h"

#include <algorithm>
#include <map>

namespace prunelab {

const std::string& ChannelGroup::leader() const
{
    static const std::string none;
    for (const auto& m : members)
        if (m.role == GroupMember::Role::Producer)
            return m.layer;
    return none;
}

int64_t ChannelGroup::producer_block() const
{
    for (const auto& m : members)
        if (m.role == GroupMember::Role::Producer)
            return m.block;
    return 1;
}

int64_t ChannelGroup::producer_gates() const
{
    for (const auto& m : members)
        if (m.role == GroupMember::Role::Producer)
            return m.gates;
    return 1;
}

std::vector<std::string> ChannelGroup::producers() const
{
    std::vector<std::string> out;
    for (const auto& m : members)
        if (m.role == GroupMember::Role::Producer)
            out.push_back(m.layer);
    return out;
}

bool ChannelGroup::has_producer(const std::string& layer) const
{
    return std::any_of(members.begin(), members.end(), [&](const GroupMember& m) {
        return m.role == GroupMember::Role::Producer && m.layer == layer;
    });
}

const ChannelGroup* DependencyResult::group_of(const std::string& layer) const
{
    for (const auto& group : groups)
        if (group.has_producer(layer))
            return &group;
    return nullptr;
}

namespace {

/// What a tensor's dimension 1 holds.
enum class Form
{
    Spatial,   ///< [N, C, H, W] channels
    Features,  ///< [N, F] features, one per channel
    Flattened, ///< [N, C·H·W] a flattened map: H·W features per channel, H·W not yet known
    Unknown,   ///< made by an op PruneLab cannot follow
};

/// A set of channels made by one layer (or the input), merged with others by additions.
struct Space
{
    int parent = 0;
    int64_t channels = 0;
    bool fixed = false;
    bool warn = false; ///< fixed because of something the user should hear about
    std::string reason;
    std::vector<GroupMember> members;
};

struct Value
{
    std::vector<int> segments; ///< spaces, concatenated along dimension 1
    Form form = Form::Unknown;
    /// Pruned channels are zero here. A gate (sigmoid) breaks it: only a product with a
    /// zero-keeping tensor may read its output.
    bool zero_safe = true;
    /// Features per channel (Features form): an attention output's head width.
    int64_t block = 1;
};

class Analyzer
{
public:
    int new_space(int64_t channels)
    {
        m_spaces.push_back({int(m_spaces.size()), channels});
        return int(m_spaces.size()) - 1;
    }
    int find(int s)
    {
        while (m_spaces[s].parent != s)
            s = m_spaces[s].parent = m_spaces[m_spaces[s].parent].parent;
        return s;
    }
    void block(int s, const std::string& reason, bool warn)
    {
        Space& space = m_spaces[find(s)];
        if (!space.fixed || (warn && !space.warn)) {
            space.reason = reason;
            space.warn = warn;
        }
        space.fixed = true;
    }
    void block_all(const Value& v, const std::string& reason, bool warn = true)
    {
        for (int s : v.segments)
            block(s, reason, warn);
    }
    void unite(int a, int b)
    {
        a = find(a);
        b = find(b);
        if (a == b)
            return;
        Space& keep = m_spaces[std::min(a, b)];
        Space& gone = m_spaces[std::max(a, b)];
        if (keep.channels != gone.channels) {
            block(a, "an addition of tensors with different channel counts", true);
            block(b, "an addition of tensors with different channel counts", true);
            return;
        }
        gone.parent = int(&keep - m_spaces.data());
        keep.members.insert(keep.members.end(), gone.members.begin(), gone.members.end());
        if (gone.fixed && (!keep.fixed || (gone.warn && !keep.warn))) {
            keep.reason = gone.reason;
            keep.warn = gone.warn;
        }
        keep.fixed = keep.fixed || gone.fixed;
    }
    int64_t channels(const Value& v)
    {
        int64_t total = 0;
        for (int s : v.segments)
            total += m_spaces[find(s)].channels;
        return total;
    }
    /// Adds a member to every segment, at the segment's offset (times the block).
    void add_members(const Value& v, const std::string& layer, GroupMember::Role role,
                     int64_t block)
    {
        int64_t offset = 0;
        for (int s : v.segments) {
            Space& space = m_spaces[find(s)];
            space.members.push_back({layer, role, offset * block, block});
            offset += space.channels;
        }
    }
    std::vector<Space>& spaces() { return m_spaces; }

private:
    std::vector<Space> m_spaces;
};

} // namespace

DependencyResult
analyze_channel_graph(const ChannelGraph& graph, int64_t input_channels,
                      const std::function<LayerShape(const std::string&)>& shape_of)
{
    using Kind = ChannelGraph::OpKind;
    Analyzer a;
    std::vector<Value> values(size_t(graph.value_count()));
    const int input_space = a.new_space(input_channels);
    a.block(input_space, "model input", false);
    values[0] = {{input_space}, Form::Spatial};

    for (const auto& op : graph.ops()) {
        Value& out = values.at(size_t(op.output));
        const Value& in = values.at(size_t(op.inputs.at(0)));
        if (op.kind != Kind::Mul && op.kind != Kind::Gate)
            for (int id : op.inputs)
                if (!values.at(size_t(id)).zero_safe)
                    a.block_all(values.at(size_t(id)),
                                "a sigmoid-like gate's output (not zero where its input is) "
                                "reaching " +
                                    (op.kind == Kind::Opaque ? op.name : "'" + op.name + "'"));
        switch (op.kind) {
        case Kind::Layer: {
            const LayerShape shape = shape_of(op.name);
            const std::string reads = "'" + op.name + "' reading a tensor PruneLab cannot follow";
            if (in.form == Form::Flattened && !shape.conv) {
                const int64_t total = a.channels(in);
                if (total > 0 && shape.in % total == 0)
                    a.add_members(in, op.name, GroupMember::Role::Consumer, shape.in / total);
                else
                    a.block_all(in, reads);
            } else if ((in.form == Form::Spatial && shape.conv) ||
                       (in.form == Form::Features && !shape.conv)) {
                if (a.channels(in) * in.block == shape.in)
                    a.add_members(in, op.name, GroupMember::Role::Consumer, in.block);
                else
                    a.block_all(in, reads);
            } else {
                a.block_all(in, reads);
            }
            const int space = a.new_space(shape.out);
            a.spaces()[size_t(space)].members.push_back({op.name, GroupMember::Role::Producer});
            out = {{space}, shape.conv ? Form::Spatial : Form::Features};
            break;
        }
        case Kind::Norm:
            out = in;
            if (in.form == Form::Unknown || a.channels(in) != shape_of(op.name).out)
                a.block_all(in, "'" + op.name + "' normalizing a tensor PruneLab cannot follow");
            else
                a.add_members(in, op.name, GroupMember::Role::Norm, 1);
            break;
        case Kind::Depthwise: {
            const LayerShape shape = shape_of(op.name);
            out = in;
            // One filter per channel (groups = channels, one input channel each): channel c's
            // filter goes with channel c. Other grouped convolutions are not followed.
            if (in.form == Form::Spatial && shape.conv && shape.in == 1 && shape.out == op.groups &&
                a.channels(in) == op.groups) {
                a.add_members(in, op.name, GroupMember::Role::Depthwise, 1);
                break;
            }
            a.block_all(in, "the grouped convolution '" + op.name + "' (" +
                                std::to_string(op.groups) + " groups) is not supported");
            const int space = a.new_space(shape.out);
            a.block(space, "the grouped convolution '" + op.name + "'", false);
            out = {{space}, Form::Unknown};
            break;
        }
        case Kind::Gate:
            out = in;
            out.zero_safe = false;
            if (in.form == Form::Unknown)
                a.block_all(in, op.name + " of a tensor PruneLab cannot follow");
            break;
        case Kind::Mul:
        case Kind::Add: {
            const Value& other = values.at(size_t(op.inputs.at(1)));
            out = in;
            out.zero_safe = op.kind == Kind::Mul ? in.zero_safe || other.zero_safe
                                                 : in.zero_safe && other.zero_safe;
            bool aligned = in.form == other.form && in.block == other.block &&
                           in.segments.size() == other.segments.size();
            for (size_t i = 0; aligned && i < in.segments.size(); ++i)
                aligned = a.spaces()[size_t(a.find(in.segments[i]))].channels ==
                          a.spaces()[size_t(a.find(other.segments[i]))].channels;
            if (!aligned) {
                const std::string what = op.kind == Kind::Mul ? "a product" : "an addition";
                a.block_all(in, what + " of differently made tensors");
                a.block_all(other, what + " of differently made tensors");
                out.zero_safe = true; // blocked: nothing pruned flows on
                break;
            }
            for (size_t i = 0; i < in.segments.size(); ++i)
                a.unite(in.segments[i], other.segments[i]);
            break;
        }
        case Kind::Cat: {
            out = {{}, in.form};
            for (int id : op.inputs) {
                const Value& part = values.at(size_t(id));
                if (part.form != in.form || part.form == Form::Unknown || part.block != 1)
                    out.form = Form::Unknown;
                out.segments.insert(out.segments.end(), part.segments.begin(), part.segments.end());
            }
            if (out.form == Form::Unknown)
                for (int id : op.inputs)
                    a.block_all(values.at(size_t(id)),
                                "a concatenation of differently shaped tensors");
            break;
        }
        case Kind::Flatten:
            out = in;
            if (in.form == Form::Spatial)
                out.form = Form::Flattened;
            else if (in.form == Form::Unknown)
                a.block_all(in, "flatten of a tensor PruneLab cannot follow");
            break;
        case Kind::Tokens:
            out = in;
            if (in.form == Form::Spatial)
                out.form = Form::Features;
            else
                a.block_all(in, "tokens made from a tensor PruneLab cannot follow");
            break;
        case Kind::LayerNorm:
            out = in;
            // Cutting a zero channel would change the mean and variance the norm takes over
            // the others, so the compacted model would compute something else.
            if (in.form == Form::Unknown)
                a.block_all(in, "'" + op.name + "' normalizing a tensor PruneLab cannot follow");
            else
                a.block_all(in, "LayerNorm '" + op.name + "' spans every channel", false);
            break;
        case Kind::Attention: {
            // q, k and v each come fresh from one Linear; head h is rows [h·d, (h+1)·d) of all
            // three, so a head is one channel of width d in one group with the three producers.
            std::vector<int> spaces;
            int64_t width = -1;
            bool followed = op.groups > 0 || op.head_width > 0;
            for (int id : op.inputs) {
                const Value& v = values.at(size_t(id));
                const int s = v.segments.size() == 1 ? a.find(v.segments[0]) : -1;
                followed = followed && s >= 0 && v.form == Form::Features && v.block == 1 &&
                           a.spaces()[size_t(s)].members.size() == 1 &&
                           a.spaces()[size_t(s)].members[0].role == GroupMember::Role::Producer &&
                           (width < 0 || a.spaces()[size_t(s)].channels == width);
                if (followed) {
                    width = a.spaces()[size_t(s)].channels;
                    spaces.push_back(s);
                }
            }
            int64_t heads = op.groups;
            if (heads == 0 && op.head_width > 0 && width > 0 && width % op.head_width == 0)
                heads = width / op.head_width;
            followed = followed && heads > 0 && width % heads == 0;
            if (!followed) {
                for (int id : op.inputs)
                    a.block_all(values.at(size_t(id)), "the attention '" + op.name +
                                                           "' over tensors PruneLab cannot follow");
                const int space = a.new_space(0);
                a.block(space, op.name, false);
                out = {{space}, Form::Unknown};
                break;
            }
            for (int s : spaces) {
                a.spaces()[size_t(s)].channels = heads;
                a.spaces()[size_t(s)].members[0].block = width / heads;
            }
            for (int s : spaces)
                a.unite(spaces[0], s);
            out = {{spaces[0]}, Form::Features};
            out.block = width / heads;
            break;
        }
        case Kind::Recurrent: {
            // The input feeds the gates through `name`.ih; unit u is row u of every gate of
            // .ih and .hh, and column u of .hh, which reads the hidden state back.
            const std::string ih = op.name + ".ih", hh = op.name + ".hh";
            const LayerShape in_shape = shape_of(ih), hidden_shape = shape_of(hh);
            const int64_t units = hidden_shape.in;
            if (in.form == Form::Features && a.channels(in) * in.block == in_shape.in)
                a.add_members(in, ih, GroupMember::Role::Consumer, in.block);
            else
                a.block_all(in, "'" + ih + "' reading a tensor PruneLab cannot follow");
            const int space = a.new_space(units);
            if (in_shape.out != op.groups * units || hidden_shape.out != op.groups * units) {
                a.block(space,
                        "'" + op.name + "' is not " + std::to_string(op.groups) + " gates of " +
                            std::to_string(units) + " units",
                        true);
                out = {{space}, Form::Unknown};
                break;
            }
            auto& members = a.spaces()[size_t(space)].members;
            members.push_back({ih, GroupMember::Role::Producer, 0, 1, op.groups});
            members.push_back({hh, GroupMember::Role::Producer, 0, 1, op.groups});
            members.push_back({hh, GroupMember::Role::Consumer, 0, 1, 1});
            out = {{space}, Form::Features};
            break;
        }
        case Kind::GlobalPool:
            out = in;
            if (in.form == Form::Spatial)
                out.form = Form::Features;
            else
                a.block_all(in, "a pooling of a tensor PruneLab cannot follow");
            break;
        case Kind::Opaque: {
            for (int id : op.inputs)
                a.block_all(values.at(size_t(id)), op.name + " is not supported");
            const int space = a.new_space(0);
            a.block(space, op.name, false);
            out = {{space}, Form::Unknown};
            break;
        }
        }
    }
    for (int id : graph.outputs())
        a.block_all(values.at(size_t(id)), "model output", false);

    // One group per root space with a producer, ordered by its leader's forward position.
    DependencyResult result;
    std::map<int, size_t> group_of_root;
    for (size_t s = 0; s < a.spaces().size(); ++s) {
        const int root = a.find(int(s));
        if (group_of_root.count(root))
            continue;
        Space& space = a.spaces()[size_t(root)];
        if (std::none_of(space.members.begin(), space.members.end(), [](const GroupMember& m) {
                return m.role == GroupMember::Role::Producer;
            }))
            continue;
        ChannelGroup group;
        group.channels = space.channels;
        group.members = space.members;
        std::stable_sort(
            group.members.begin(), group.members.end(),
            [](const GroupMember& x, const GroupMember& y) { return x.role < y.role; });
        group.prunable = !space.fixed;
        group.reason = space.reason;
        if (space.fixed && space.warn)
            result.warnings.push_back("the " + std::to_string(group.channels) + " channels of '" +
                                      group.leader() + "' stay unpruned: " + space.reason);
        group_of_root[root] = result.groups.size();
        result.groups.push_back(std::move(group));
    }
    return result;
}

DependencyResult analyze_dependencies(PrunableNet& net)
{
    std::map<std::string, LayerShape> shapes;
    for (const auto& layer : prunable_layers(net))
        shapes[layer.name] = {layer.weight.size(0), layer.weight.size(1), layer.weight.dim() == 4};
    for (const auto& buffer : net.named_buffers()) {
        const std::string& name = buffer.key();
        const std::string suffix = ".running_mean";
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            shapes[name.substr(0, name.size() - suffix.size())] = {buffer.value().size(0), 0,
                                                                   false};
    }
    // Convolutions that are not prunable layers (grouped, depthwise): [out, in/groups, k, k].
    for (const auto& parameter : net.named_parameters()) {
        const std::string& name = parameter.key();
        const std::string suffix = ".weight";
        if (parameter.value().dim() == 4 && name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const std::string layer = name.substr(0, name.size() - suffix.size());
            if (!shapes.count(layer))
                shapes[layer] = {parameter.value().size(0), parameter.value().size(1), true};
        }
    }
    const auto& input_shape = net.spec().input_shape;
    return analyze_channel_graph(net.channel_graph(), input_shape.empty() ? 0 : input_shape[0],
                                 [&](const std::string& name) {
                                     auto it = shapes.find(name);
                                     if (it == shapes.end())
                                         throw Error("the model's channel graph names '" + name +
                                                     "', which is not one of its layers");
                                     return it->second;
                                 });
}

} // namespace prunelab
