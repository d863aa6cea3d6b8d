#include "engine/interop/tensor_archive.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/json_limits.h"
#include "engine/core/zip_integrity.h"

#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <c10/util/Exception.h>
#include <torch/serialize.h>

namespace prunelab {

void save_tensor_archive(const TensorArchive& archive, const std::string& path)
{
    c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
    root.insert(std::string("format"), archive.format);
    root.insert(std::string("format_version"), archive.format_version);
    root.insert(std::string("header"), archive.header.dump());
    for (const auto& [group, tensors] : archive.groups) {
        c10::Dict<std::string, at::Tensor> dict;
        for (const auto& [name, tensor] : tensors)
            dict.insert(name, tensor.detach().contiguous());
        root.insert(group, dict);
    }
    write_file_atomically(path, torch::pickle_save(root));
}

TensorArchive load_tensor_archive(const std::string& path, const std::string& format,
                                  int64_t max_version)
{
    const std::vector<char> bytes = read_whole_file(path);
    verify_zip_bytes(bytes.data(), bytes.size(), path, format + " file");
    c10::IValue value;
    try {
        value = torch::pickle_load(bytes);
    } catch (const c10::Error& e) {
        throw Error(path + ": corrupt or truncated file (" +
                    std::string(e.what_without_backtrace()).substr(0, 160) + ")");
    } catch (const std::exception& e) {
        throw Error(path + ": unreadable (" + readable_message(e) + ")");
    }
    if (!value.isGenericDict())
        throw Error(path + ": not a " + format + " file");
    TensorArchive archive;
    for (const auto& item : value.toGenericDict()) {
        if (!item.key().isString())
            throw Error(path + ": not a " + format + " file");
        const std::string& key = item.key().toStringRef();
        const auto& v = item.value();
        if (key == "format" && v.isString())
            archive.format = v.toStringRef();
        else if (key == "format_version" && v.isInt())
            archive.format_version = v.toInt();
        else if (key == "header" && v.isString()) {
            try {
                archive.header = parse_json_limited(v.toStringRef(), path);
            } catch (const nlohmann::json::exception& e) {
                throw Error(path + ": damaged header (" + std::string(e.what()) + ")");
            }
        } else if (v.isGenericDict()) {
            auto& group = archive.groups[key];
            for (const auto& t : v.toGenericDict()) {
                if (!t.key().isString() || !t.value().isTensor())
                    throw Error(path + ": group '" + key + "' holds something other than tensors");
                group.emplace(t.key().toStringRef(), t.value().toTensor());
            }
        }
    }
    if (archive.format != format)
        throw Error(path + ": not a " + format + " file");
    if (archive.format_version > max_version)
        throw Error(path + ": " + format + " version " + std::to_string(archive.format_version) +
                    " is newer than this PruneLab reads (" + std::to_string(max_version) + ")");
    return archive;
}

} // namespace prunelab
