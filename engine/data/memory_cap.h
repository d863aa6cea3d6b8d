#pragma once

#include <cstdint>
#include <string>

namespace prunelab {

/// ¾ of the physical memory (what one data set may take by default).
int64_t default_memory_cap();

/// `cap` if positive, else default_memory_cap().
int64_t memory_cap_or_default(int64_t cap);

/// "1.2 GB": a byte count for messages.
std::string format_gigabytes(double bytes);

/// Parses a size given by a user: "512M", "8G", "1.5GB", "100000000" (bytes), "0" (default).
/// @throws prunelab::Error naming `option` when it is not a size.
int64_t parse_byte_size(const std::string& text, const std::string& option);

} // namespace prunelab
