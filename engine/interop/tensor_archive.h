#pragma once

// Named groups of tensors plus a JSON header in one torch pickle archive — a plain dict that
// Python's torch.load reads as {"format": str, "format_version": int, "header": str(JSON),
// group: {name: tensor}}. Used for session state files; written atomically.

#include <ATen/Tensor.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace prunelab {

struct TensorArchive
{
    std::string format;
    int64_t format_version = 1;
    nlohmann::json header = nlohmann::json::object();
    std::map<std::string, std::map<std::string, at::Tensor>> groups;
};

/// @throws prunelab::Error naming the path when it cannot be written (a file already there
///         stays intact).
void save_tensor_archive(const TensorArchive& archive, const std::string& path);

/// @throws prunelab::Error naming the file: missing, corrupt, another format, or a newer
///         version than `max_version`.
TensorArchive load_tensor_archive(const std::string& path, const std::string& format,
                                  int64_t max_version);

} // namespace prunelab
