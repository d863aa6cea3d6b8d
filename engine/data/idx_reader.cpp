#include "engine/data/idx_reader.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"

#include <ATen/ATen.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

namespace prunelab {
namespace {

struct GzCloser
{
    void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// gzread reads both compressed and plain files, so one path serves ".gz" and raw IDX.
void read_exactly(gzFile file, void* buffer, size_t size, const std::string& path, const char* what)
{
    auto* out = static_cast<unsigned char*>(buffer);
    size_t done = 0;
    while (done < size) {
        const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
        const int got = gzread(file, out + done, chunk);
        if (got < 0) {
            int code = 0;
            const char* message = gzerror(file, &code);
            throw Error(path + ": corrupt compressed data while reading the " + what + " (" +
                        message + ")");
        }
        if (got == 0)
            throw Error(path + ": file is truncated: the " + what + " needs " +
                        std::to_string(size) + " bytes but only " + std::to_string(done) +
                        " are present");
        done += static_cast<size_t>(got);
    }
}

uint32_t big_endian(const unsigned char* bytes)
{
    return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) |
           uint32_t(bytes[3]);
}

std::string find_idx_file(const std::string& directory, const std::string& stem)
{
    namespace fs = std::filesystem;
    for (const char* suffix : {"", ".gz"}) {
        const fs::path candidate = fs::path(directory) / (stem + suffix);
        if (fs::exists(candidate))
            return candidate.string();
    }
    throw Error(directory + ": no " + stem + " or " + stem + ".gz in this directory");
}

} // namespace

at::Tensor read_idx_file(const std::string& path)
{
    check_regular_file(path);
    GzFile file(gzopen(path.c_str(), "rb"));
    if (!file)
        throw Error(path + ": cannot open for reading");

    std::array<unsigned char, 4> magic{};
    read_exactly(file.get(), magic.data(), magic.size(), path, "IDX header");
    if (magic[0] != 0 || magic[1] != 0)
        throw Error(path + ": not an IDX file (wrong magic number)");
    if (magic[2] != 0x08) {
        char code[8];
        std::snprintf(code, sizeof code, "0x%02x", magic[2]);
        throw Error(path + ": IDX element type " + code +
                    " is not supported (only unsigned bytes, 0x08)");
    }
    const int dims = magic[3];
    if (dims < 1 || dims > 4)
        throw Error(path + ": IDX file declares " + std::to_string(dims) +
                    " dimensions (expected 1 to 4)");

    std::vector<unsigned char> header(static_cast<size_t>(dims) * 4);
    read_exactly(file.get(), header.data(), header.size(), path, "IDX dimensions");
    std::vector<int64_t> shape;
    int64_t count = 1;
    for (int d = 0; d < dims; ++d) {
        shape.push_back(big_endian(header.data() + 4 * d));
        count *= shape.back();
    }
    if (count <= 0 || count > (int64_t(1) << 34))
        throw Error(path + ": IDX dimensions give an implausible size of " + std::to_string(count) +
                    " elements");

    auto tensor = at::empty(shape, at::kByte);
    read_exactly(file.get(), tensor.data_ptr<uint8_t>(), static_cast<size_t>(count), path,
                 "IDX data");
    return tensor;
}

IdxSplit load_idx_split(const std::string& directory, bool train)
{
    if (!std::filesystem::is_directory(directory))
        throw Error(directory + ": data directory not found");
    const std::string prefix = train ? "train" : "t10k";
    const std::string images_path = find_idx_file(directory, prefix + "-images-idx3-ubyte");
    const std::string labels_path = find_idx_file(directory, prefix + "-labels-idx1-ubyte");

    auto images = read_idx_file(images_path);
    auto labels = read_idx_file(labels_path);
    if (images.dim() != 3)
        throw Error(images_path + ": expected 3 dimensions (count, rows, columns), found " +
                    std::to_string(images.dim()));
    if (labels.dim() != 1)
        throw Error(labels_path + ": expected 1 dimension (count), found " +
                    std::to_string(labels.dim()));
    if (images.size(0) != labels.size(0))
        throw Error(labels_path + ": holds " + std::to_string(labels.size(0)) + " labels but " +
                    images_path + " holds " + std::to_string(images.size(0)) + " images");
    return {images.unsqueeze(1).contiguous(), labels.to(at::kLong)};
}

} // namespace prunelab
