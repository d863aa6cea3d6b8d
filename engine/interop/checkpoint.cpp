#include "engine/interop/checkpoint.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/json_limits.h"
#include "engine/core/logging.h"
#include "engine/core/sha256.h"
#include "engine/core/zip_integrity.h"
#include "engine/interop/sparse_tensors.h"
#include "engine/models/model_factory.h"

#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>
#include <torch/serialize.h>

namespace prunelab {
namespace {

constexpr const char* kFormatName = "prunelab-checkpoint";
/// Version 2: the same dictionary with tensors in sparse storage ("sparse_state").
constexpr int64_t kSparseFormatVersion = 2;

nlohmann::json spec_to_json(const ModelSpec& spec)
{
    nlohmann::json j = {
        {"name", spec.name}, {"input_shape", spec.input_shape}, {"num_classes", spec.num_classes}};
    if (!spec.widths.empty())
        j["widths"] = spec.widths; // a compacted model
    return j;
}

ModelSpec spec_from_json(const nlohmann::json& j, const std::string& label)
{
    try {
        ModelSpec spec;
        spec.name = j.at("name").get<std::string>();
        spec.input_shape = j.at("input_shape").get<std::vector<int64_t>>();
        spec.num_classes = j.at("num_classes").get<int64_t>();
        if (j.contains("widths"))
            spec.widths = j.at("widths").get<std::map<std::string, int64_t>>();
        for (const auto& [layer, width] : spec.widths)
            if (width < 1)
                throw Error(label + ": the model description is damaged (layer '" + layer +
                            "' has width " + std::to_string(width) + ")");
        return spec;
    } catch (const nlohmann::json::exception& e) {
        throw Error(label + ": the model description is damaged (" + e.what() + ")");
    }
}

c10::Dict<std::string, at::Tensor> to_dict(const std::map<std::string, at::Tensor>& tensors)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, tensor] : tensors)
        dict.insert(name, tensor.detach().contiguous());
    return dict;
}

const c10::IValue& field(const c10::impl::GenericDict& dict, const std::string& key,
                         const std::string& label)
{
    auto it = dict.find(c10::IValue(key));
    if (it == dict.end())
        throw Error(label + ": not a PruneLab checkpoint (no '" + key + "' entry)");
    return it->value();
}

std::map<std::string, at::Tensor> tensor_map(const c10::IValue& value, const std::string& label,
                                             const std::string& what)
{
    if (!value.isGenericDict())
        throw Error(label + ": the " + what + " entry is not a dictionary of tensors");
    std::map<std::string, at::Tensor> out;
    for (const auto& item : value.toGenericDict()) {
        if (!item.key().isString() || !item.value().isTensor())
            throw Error(label + ": the " + what + " entry holds something other than tensors");
        out.emplace(item.key().toStringRef(), item.value().toTensor());
    }
    return out;
}

// One digest over every tensor's name, type, shape and bytes, weights then masks (name order).
std::string state_digest(const std::map<std::string, at::Tensor>& weights,
                         const std::map<std::string, at::Tensor>& masks)
{
    Sha256 sha;
    auto feed = [&sha](const char* group, const std::map<std::string, at::Tensor>& tensors) {
        for (const auto& [name, tensor] : tensors) {
            const at::Tensor bytes = tensor.detach().contiguous();
            const std::string head = std::string(group) + "/" + name + " " +
                                     std::string(c10::toString(bytes.scalar_type())) + " " +
                                     format_shape(bytes.sizes().vec());
            sha.update(head.data(), head.size() + 1); // with its terminating zero
            sha.update(bytes.data_ptr(), bytes.nbytes());
        }
    };
    feed("state_dict", weights);
    feed("masks", masks);
    return sha.hex_digest();
}

// Masks name parameters of the model, have their shapes and hold only 0 and 1: anything else
// was copied into every output before (issue 16 item 11).
std::map<std::string, at::Tensor> checked_masks(const std::map<std::string, at::Tensor>& masks,
                                                PrunableNet& net, const std::string& label)
{
    auto params = net.named_parameters(true);
    std::map<std::string, at::Tensor> out;
    for (const auto& [name, mask] : masks) {
        const auto* parameter = params.find(name);
        if (!parameter)
            throw Error(label + ": mask '" + name + "' names no parameter of the model");
        if (parameter->sizes() != mask.sizes())
            throw Error(label + ": mask '" + name + "' has shape " +
                        format_shape(mask.sizes().vec()) + " but the parameter has " +
                        format_shape(parameter->sizes().vec()));
        if (mask.scalar_type() != at::kBool) {
            if (mask.is_complex() || !at::logical_or(mask == 0, mask == 1).all().item<bool>())
                throw Error(label + ": mask '" + name +
                            "' holds values other than 0 and 1 (a mask keeps or removes)");
        }
        out.emplace(name, mask.to(at::kBool).contiguous());
    }
    return out;
}

} // namespace

void load_state_dict(PrunableNet& net, const std::map<std::string, at::Tensor>& weights,
                     const std::string& label)
{
    at::NoGradGuard no_grad;
    auto assign = [&](const std::string& name, at::Tensor& target) {
        auto it = weights.find(name);
        if (it == weights.end())
            throw Error(label + ": weight '" + name + "' is missing");
        if (it->second.sizes() != target.sizes())
            throw Error(label + ": weight '" + name + "' has shape " +
                        format_shape(it->second.sizes().vec()) + " but the model expects " +
                        format_shape(target.sizes().vec()));
        target.copy_(it->second);
    };
    for (auto& item : net.named_parameters(true))
        assign(item.key(), item.value());
    for (auto& item : net.named_buffers(true))
        assign(item.key(), item.value());
}

std::map<std::string, at::Tensor> state_dict(const PrunableNet& net)
{
    std::map<std::string, at::Tensor> out;
    for (const auto& item : net.named_parameters(true))
        out.emplace(item.key(), item.value());
    for (const auto& item : net.named_buffers(true))
        out.emplace(item.key(), item.value());
    return out;
}

std::vector<char> checkpoint_bytes(const Checkpoint& checkpoint, const CheckpointStorage& storage)
{
    if (!checkpoint.net)
        throw Error("cannot save a checkpoint without a model");
    const bool sparse = storage.sparse || storage.int8;
    c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
    root.insert(std::string("format"), std::string(kFormatName));
    root.insert(std::string("format_version"),
                int64_t(sparse ? kSparseFormatVersion : kCheckpointFormatVersion));
    root.insert(std::string("model"), spec_to_json(checkpoint.net->spec()).dump());
    root.insert(std::string("metadata"), checkpoint.metadata.dump());
    auto weights = state_dict(*checkpoint.net);
    if (!sparse) {
        root.insert(std::string("state_dict"), to_dict(weights));
        root.insert(std::string("masks"), to_dict(checkpoint.masks));
        root.insert(std::string("state_sha256"), state_digest(weights, checkpoint.masks));
        return torch::pickle_save(root);
    }
    // The seal covers what a reader gets back: the decoded (for int8, de-quantized) tensors.
    SparseEncoding encoding;
    encoding.int8 = storage.int8;
    c10::impl::GenericDict tensors(c10::StringType::get(), c10::AnyType::get());
    std::map<std::string, at::Tensor> decoded, masks;
    for (const auto& [name, tensor] : weights) {
        const auto mask = checkpoint.masks.find(name);
        const c10::IValue entry = encode_sparse_tensor(
            tensor, mask == checkpoint.masks.end() ? at::Tensor() : mask->second, encoding);
        at::Tensor kept;
        decoded[name] = decode_sparse_tensor(entry, "sparse checkpoint", name, &kept);
        if (mask != checkpoint.masks.end()) {
            entry.toGenericDict().insert(std::string("masked"), true);
            masks[name] = kept;
        }
        tensors.insert(name, entry);
    }
    root.insert(std::string("encoding"), std::string(storage.int8 ? "sparse-int8" : "sparse"));
    root.insert(std::string("sparse_state"), tensors);
    root.insert(std::string("state_sha256"), state_digest(decoded, masks));
    return torch::pickle_save(root);
}

void save_checkpoint(const Checkpoint& checkpoint, const std::string& path,
                     const CheckpointStorage& storage)
{
    write_file_atomically(path, checkpoint_bytes(checkpoint, storage));
}

Checkpoint load_checkpoint(const std::string& path)
{
    return load_checkpoint_bytes(read_whole_file(path), path);
}

Checkpoint load_checkpoint_bytes(const std::vector<char>& bytes, const std::string& label)
{
    verify_zip_bytes(bytes.data(), bytes.size(), label, "PruneLab checkpoint");
    c10::IValue root_value;
    try {
        root_value = torch::pickle_load(bytes);
    } catch (const c10::Error& e) {
        throw Error(label + ": not a readable PruneLab checkpoint (corrupt or truncated file: " +
                    std::string(e.what_without_backtrace()).substr(0, 160) + ")");
    } catch (const std::exception& e) {
        throw Error(label + ": not a readable PruneLab checkpoint (" + readable_message(e) + ")");
    }
    if (!root_value.isGenericDict())
        throw Error(label + ": not a PruneLab checkpoint (the archive holds no dictionary)");
    const auto root = root_value.toGenericDict();
    const auto& format = field(root, "format", label);
    if (!format.isString() || format.toStringRef() != kFormatName)
        throw Error(label + ": not a PruneLab checkpoint (format is not '" +
                    std::string(kFormatName) + "')");
    const auto& version = field(root, "format_version", label);
    if (!version.isInt() || version.toInt() > kSparseFormatVersion)
        throw Error(label + ": checkpoint format version " +
                    (version.isInt() ? std::to_string(version.toInt()) : std::string("?")) +
                    " is newer than this PruneLab reads (" + std::to_string(kSparseFormatVersion) +
                    ")");

    nlohmann::json model_json;
    Checkpoint checkpoint;
    try {
        model_json = parse_json_limited(field(root, "model", label).toStringRef(), label);
        checkpoint.metadata =
            parse_json_limited(field(root, "metadata", label).toStringRef(), label);
    } catch (const nlohmann::json::exception& e) {
        throw Error(label + ": the checkpoint's description is damaged (" + e.what() + ")");
    }
    const ModelSpec spec = spec_from_json(model_json, label);
    const bool sparse = root.contains(c10::IValue(std::string("sparse_state")));
    std::map<std::string, at::Tensor> weights, masks;
    if (sparse) {
        const auto& entries = field(root, "sparse_state", label);
        if (!entries.isGenericDict())
            throw Error(label + ": the sparse_state entry is not a dictionary");
        for (const auto& item : entries.toGenericDict()) {
            if (!item.key().isString())
                throw Error(label + ": the sparse_state entry has a key that is not a name");
            const std::string& name = item.key().toStringRef();
            at::Tensor kept;
            weights[name] = decode_sparse_tensor(item.value(), label, name, &kept);
            const auto& entry = item.value().toGenericDict();
            const auto masked = entry.find(c10::IValue(std::string("masked")));
            if (masked != entry.end() && masked->value().isBool() && masked->value().toBool())
                masks[name] = kept;
        }
    } else {
        weights = tensor_map(field(root, "state_dict", label), label, "state_dict");
        masks = tensor_map(field(root, "masks", label), label, "masks");
    }
    if (sparse && spec.name == "torchscript")
        throw Error(label +
                    ": a sparse file of a TorchScript model's weights: PruneLab cannot "
                    "rebuild the model from it; load them in Python into the original module "
                    "(docs/prunelab_sparse.py)");
    try {
        checkpoint.net = create_model(spec);
    } catch (const Error& e) {
        throw Error(label + ": " + e.what());
    }
    const auto seal = root.find(c10::IValue(std::string("state_sha256")));
    if (seal != root.end()) { // checkpoints written before the seal existed have none
        if (!seal->value().isString() ||
            seal->value().toStringRef() != state_digest(weights, masks))
            throw Error(label +
                        ": the tensors do not match the SHA-256 PruneLab sealed them with: the "
                        "file was damaged or altered (if you edited the weights on purpose, "
                        "delete its 'state_sha256' entry)");
    }
    load_state_dict(*checkpoint.net, weights, label);
    checkpoint.masks = checked_masks(masks, *checkpoint.net, label);
    return checkpoint;
}

} // namespace prunelab
