#include "engine/data/idx_reader.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/data/memory_cap.h"

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

namespace {

struct IdxHeader
{
    std::vector<int64_t> shape;
    int64_t elements = 0;
};

IdxHeader read_header(gzFile file, const std::string& path)
{
    std::array<unsigned char, 4> magic{};
    read_exactly(file, magic.data(), magic.size(), path, "IDX header");
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

    std::vector<unsigned char> bytes(static_cast<size_t>(dims) * 4);
    read_exactly(file, bytes.data(), bytes.size(), path, "IDX dimensions");
    IdxHeader header;
    // The product is checked as it grows: four 32-bit sizes can wrap 64 bits around to a
    // plausible count (27283913 × 820044 × 824472 = 2^64 + 1568).
    constexpr int64_t kMostElements = int64_t(1) << 34;
    header.elements = 1;
    std::string sizes;
    for (int d = 0; d < dims; ++d) {
        header.shape.push_back(big_endian(bytes.data() + 4 * d));
        sizes += (d ? "×" : "") + std::to_string(header.shape.back());
    }
    for (const int64_t size : header.shape) {
        if (size <= 0 || header.elements > kMostElements / size)
            throw Error(path + ": IDX dimensions " + sizes + " give an implausible size");
        header.elements *= size;
    }
    return header;
}

GzFile open_idx(const std::string& path)
{
    check_regular_file(path);
    GzFile file(gzopen(path.c_str(), "rb"));
    if (!file)
        throw Error(path + ": cannot open for reading");
    gzbuffer(file.get(), 1 << 17);
    return file;
}

// Skips `size` bytes of (decompressed) data, which a .gz must still inflate.
void skip_bytes(gzFile file, int64_t size, const std::string& path)
{
    std::vector<unsigned char> scratch(std::min<int64_t>(size, 1 << 20));
    while (size > 0) {
        const auto chunk = std::min<int64_t>(size, int64_t(scratch.size()));
        read_exactly(file, scratch.data(), size_t(chunk), path, "IDX data");
        size -= chunk;
    }
}

} // namespace

std::vector<int64_t> read_idx_shape(const std::string& path)
{
    GzFile file = open_idx(path);
    return read_header(file.get(), path).shape;
}

at::Tensor read_idx_file(const std::string& path, const IdxReadOptions& options)
{
    GzFile file = open_idx(path);
    const IdxHeader header = read_header(file.get(), path);
    const int64_t count = header.shape[0];
    const int64_t record = header.elements / count;
    if (options.records)
        for (size_t i = 0; i < options.records->size(); ++i) {
            const int64_t index = (*options.records)[i];
            if (index < 0 || index >= count || (i > 0 && index <= (*options.records)[i - 1]))
                throw Error(path + ": record " + std::to_string(index) +
                            " asked for out of order or outside the file's " +
                            std::to_string(count));
        }
    const int64_t kept = options.records ? int64_t(options.records->size()) : count;

    // Kept bytes become floats (four bytes each) after normalisation: refuse before allocating.
    const double needed = double(kept) * double(record) * (1.0 + sizeof(float));
    const int64_t cap = memory_cap_or_default(options.max_bytes);
    if (needed > double(cap))
        throw Error(path + ": " + std::to_string(kept) + " records would take about " +
                    format_gigabytes(needed) + " in memory, more than the " +
                    format_gigabytes(double(cap)) +
                    " a data set may use here (--max-memory); lower --train-limit/--test-limit");

    std::vector<int64_t> shape = header.shape;
    shape[0] = kept;
    auto tensor = at::empty(shape, at::kByte);
    auto* out = tensor.data_ptr<uint8_t>();
    if (!options.records) {
        read_exactly(file.get(), out, static_cast<size_t>(header.elements), path, "IDX data");
        return tensor;
    }
    int64_t position = 0; // the next record in the file
    for (const int64_t index : *options.records) {
        skip_bytes(file.get(), (index - position) * record, path);
        read_exactly(file.get(), out, static_cast<size_t>(record), path, "IDX data");
        out += record;
        position = index + 1;
    }
    return tensor;
}

int64_t idx_split_size(const std::string& directory, bool train)
{
    if (!std::filesystem::is_directory(directory))
        throw Error(directory + ": data directory not found");
    const std::string prefix = train ? "train" : "t10k";
    const std::string images_path = find_idx_file(directory, prefix + "-images-idx3-ubyte");
    const std::string labels_path = find_idx_file(directory, prefix + "-labels-idx1-ubyte");
    const auto images = read_idx_shape(images_path);
    const auto labels = read_idx_shape(labels_path);
    if (images.size() != 3)
        throw Error(images_path + ": expected 3 dimensions (count, rows, columns), found " +
                    std::to_string(images.size()));
    if (labels.size() != 1)
        throw Error(labels_path + ": expected 1 dimension (count), found " +
                    std::to_string(labels.size()));
    if (images[0] != labels[0])
        throw Error(labels_path + ": holds " + std::to_string(labels[0]) + " labels but " +
                    images_path + " holds " + std::to_string(images[0]) + " images");
    return images[0];
}

IdxSplit load_idx_split(const std::string& directory, bool train, const IdxReadOptions& options,
                        int64_t classes)
{
    idx_split_size(directory, train); // headers agree before any data is read
    const std::string prefix = train ? "train" : "t10k";
    const std::string images_path = find_idx_file(directory, prefix + "-images-idx3-ubyte");
    const std::string labels_path = find_idx_file(directory, prefix + "-labels-idx1-ubyte");
    auto images = read_idx_file(images_path, options);
    auto labels = read_idx_file(labels_path, options);
    if (classes > 0 && labels.numel() > 0) {
        // Caught here, the file is named; in training it was "Target 255 is out of bounds".
        const int64_t largest = labels.max().item<int64_t>();
        if (largest >= classes)
            throw Error(labels_path + ": label " + std::to_string(largest) + " is outside 0.." +
                        std::to_string(classes - 1) + " (not a " + std::to_string(classes) +
                        "-class label file?)");
    }
    return {images.unsqueeze(1).contiguous(), labels.to(at::kLong)};
}

} // namespace prunelab
