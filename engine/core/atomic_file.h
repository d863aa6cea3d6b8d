#pragma once

#include <string>
#include <vector>

namespace prunelab {

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so a failure never leaves a half-written file and never harms a
/// file already at `path`.
/// @throws prunelab::Error naming the path when the directory is missing or not writable.
void write_file_atomically(const std::string& path, const std::vector<char>& bytes);

/// Checks before long work that `path` could be written: its directory exists and it is not
/// itself a directory. @throws prunelab::Error naming the path. Returns the directory.
std::string check_output_path(const std::string& path);

/// Reads a whole file. @throws prunelab::Error naming the path when it is missing or unreadable.
std::vector<char> read_whole_file(const std::string& path);

} // namespace prunelab
