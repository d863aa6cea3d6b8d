#pragma once

#include <ATen/Tensor.h>

#include <optional>
#include <string>
#include <vector>

namespace prunelab {

/// The dimensions an IDX file declares, read from its header alone.
/// @throws prunelab::Error naming the file as read_idx_file does for a bad header.
std::vector<int64_t> read_idx_shape(const std::string& path);

/// What to keep while reading an IDX file.
struct IdxReadOptions
{
    /// Entries of the first dimension to keep, ascending and distinct (empty optional: all).
    /// The file is read in one pass up to the last of them, holding nothing else, so a limit
    /// caps memory while reading rather than after.
    std::optional<std::vector<int64_t>> records;
    /// Refuse before allocating when what is kept would take more than this many bytes once
    /// converted to floats (0: default_memory_cap()).
    int64_t max_bytes = 0;
};

/// Reads one IDX file (the MNIST format), plain or gzip-compressed, into a uint8 tensor whose
/// shape is the file's dimensions (the first one being the kept records' count). Only
/// unsigned-byte IDX files are accepted.
/// @throws prunelab::Error naming the file when it is missing, truncated, has a wrong magic
///         number, holds a type other than unsigned bytes, or is too large for the memory cap.
at::Tensor read_idx_file(const std::string& path, const IdxReadOptions& options = {});

/// Loads an MNIST-layout directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
/// Returns images as uint8 [N, 1, H, W] and labels as int64 [N]; `options` selects records of
/// both files alike.
/// @throws prunelab::Error when a file is missing or image and label counts differ.
struct IdxSplit
{
    at::Tensor images;
    at::Tensor labels;
};
/// With `classes` > 0, a label outside 0..classes-1 is an error naming the labels file.
IdxSplit load_idx_split(const std::string& directory, bool train,
                        const IdxReadOptions& options = {}, int64_t classes = 0);

/// The record count of an MNIST-layout split, from its headers (images and labels must agree).
int64_t idx_split_size(const std::string& directory, bool train);

} // namespace prunelab
