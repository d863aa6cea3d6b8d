#pragma once

#include <cstddef>
#include <string>

namespace prunelab {

/// Checks a zip archive (the container of PyTorch checkpoints and TorchScript models) before
/// LibTorch reads it: a well-formed structure (LibTorch's reader read past the end of its buffer
/// on malformed ones) and every entry's CRC-32 (LibTorch checks none, so a flipped byte inside a
/// tensor loaded silently; issue 16 item 9).
/// @throws prunelab::Error "LABEL: not a readable WHAT (corrupt or truncated: DETAIL)" for data
///         that is not a zip archive, a damaged structure, or an entry that fails its CRC.
void verify_zip_bytes(const char* data, size_t size, const std::string& label,
                      const std::string& what = "file");

/// The same for a file, read in pieces (a 330 MB model is not held twice).
void verify_zip_file(const std::string& path, const std::string& what = "file");

} // namespace prunelab
