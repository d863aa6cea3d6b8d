#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace prunelab {

/// The deepest nesting PruneLab reads from a file. Its own documents nest a few levels; a
/// 100,000-level document parsed fine and then overflowed the stack wherever it was written
/// again or destroyed (every save of a checkpoint carrying it).
inline constexpr int kMaxJsonDepth = 64;

/// The largest JSON document PruneLab reads (its own are kilobytes; a recipe or a checkpoint's
/// metadata of gigabytes would be parsed into several times that in memory).
inline constexpr size_t kMaxJsonBytes = size_t(64) << 20;

/// Parses JSON from a file or a field of one, refusing nesting deeper than kMaxJsonDepth and
/// documents larger than kMaxJsonBytes.
/// @throws nlohmann::json::exception for invalid JSON (callers name the file), and
///         prunelab::Error "<what>: JSON nested deeper than 64 levels" for too deep a document.
nlohmann::json parse_json_limited(std::string_view text, const std::string& what);

} // namespace prunelab
