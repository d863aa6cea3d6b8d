#pragma once

#include <ATen/Tensor.h>

#include <string>

namespace prunelab {

/// Reads one IDX file (the MNIST format), plain or gzip-compressed, into a uint8 tensor whose
/// shape is the file's dimensions. Only unsigned-byte IDX files are accepted.
/// @throws prunelab::Error naming the file when it is missing, truncated, has a wrong magic
///         number, or holds a type other than unsigned bytes.
at::Tensor read_idx_file(const std::string& path);

/// Loads an MNIST-layout directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
/// Returns images as uint8 [N, 1, H, W] and labels as int64 [N].
/// @throws prunelab::Error when a file is missing or image and label counts differ.
struct IdxSplit
{
    at::Tensor images;
    at::Tensor labels;
};
IdxSplit load_idx_split(const std::string& directory, bool train);

} // namespace prunelab
