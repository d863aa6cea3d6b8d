#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace prunelab {

/// The deepest nesting PruneLab reads from a file. Its own documents nest a few levels; a
/// 100,000-level document parsed fine and then overflowed the stack wherever it was written
/// again or destroyed (every save of a checkpoint carrying it).
inline constexpr int kMaxJsonDepth = 64;

/// Parses JSON from a file or a field of one, refusing nesting deeper than kMaxJsonDepth.
/// @throws nlohmann::json::exception for invalid JSON (callers name the file), and
///         prunelab::Error "<what>: JSON nested deeper than 64 levels" for too deep a document.
nlohmann::json parse_json_limited(std::string_view text, const std::string& what);

} // namespace prunelab
