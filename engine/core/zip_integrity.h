#pragma once

#include <cstddef>
#include <string>

namespace prunelab {

/// Checks a zip archive (the container of PyTorch checkpoints and TorchScript models) entry by
/// entry against the CRC-32 its central directory records. LibTorch's reader checks none, so a
/// flipped byte inside a tensor loaded silently (issue 16 item 9). Data that is not a zip archive
/// passes unchanged (the reader that follows says what it is instead).
/// @throws prunelab::Error naming `label` and the damaged entry, or the damaged structure.
void verify_zip_bytes(const char* data, size_t size, const std::string& label);

/// The same for a file, read in pieces (a 330 MB model is not held twice).
void verify_zip_file(const std::string& path);

} // namespace prunelab
