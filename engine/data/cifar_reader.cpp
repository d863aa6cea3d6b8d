#include "engine/data/cifar_reader.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace prunelab {
namespace {

constexpr int64_t kImageBytes = 3 * 32 * 32;
constexpr int64_t kRecordBytes = 1 + kImageBytes;

std::filesystem::path batches_directory(const std::string& directory)
{
    namespace fs = std::filesystem;
    if (!fs::is_directory(directory))
        throw Error(directory + ": data directory not found");
    const fs::path nested = fs::path(directory) / "cifar-10-batches-bin";
    return fs::is_directory(nested) ? nested : fs::path(directory);
}

std::vector<unsigned char> read_batch_file(const std::filesystem::path& path)
{
    check_regular_file(path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": file not found or unreadable");
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (bytes.empty() || bytes.size() % kRecordBytes != 0)
        throw Error(path.string() + ": size " + std::to_string(bytes.size()) +
                    " bytes is not a whole number of 3073-byte CIFAR-10 records (truncated?)");
    return bytes;
}

} // namespace

IdxSplit load_cifar10_split(const std::string& directory, bool train)
{
    const auto base = batches_directory(directory);
    std::vector<std::string> names;
    if (train) {
        for (int i = 1; i <= 5; ++i)
            names.push_back("data_batch_" + std::to_string(i) + ".bin");
    } else {
        names.push_back("test_batch.bin");
    }

    std::vector<at::Tensor> images;
    std::vector<at::Tensor> labels;
    for (const auto& name : names) {
        const auto path = base / name;
        auto bytes = read_batch_file(path);
        const int64_t records = static_cast<int64_t>(bytes.size()) / kRecordBytes;
        auto raw = at::from_blob(bytes.data(), {records, kRecordBytes}, at::kByte).clone();
        auto batch_labels = raw.select(1, 0).to(at::kLong);
        if (batch_labels.max().item<int64_t>() > 9)
            throw Error(path.string() + ": label " +
                        std::to_string(batch_labels.max().item<int64_t>()) +
                        " is outside 0..9 (not a CIFAR-10 batch?)");
        images.push_back(raw.slice(1, 1).reshape({records, 3, 32, 32}));
        labels.push_back(batch_labels);
    }
    return {at::cat(images).contiguous(), at::cat(labels)};
}

} // namespace prunelab
