#include "engine/core/json_limits.h"

#include "engine/core/error.h"

namespace prunelab {

nlohmann::json parse_json_limited(std::string_view text, const std::string& what)
{
    if (text.size() > kMaxJsonBytes)
        throw Error(what + ": JSON of " + std::to_string(text.size() >> 20) +
                    " MB is larger than the " + std::to_string(kMaxJsonBytes >> 20) +
                    " MB PruneLab reads");
    // nlohmann's parser keeps its own stack (no recursion); the callback sees every value's
    // depth as it is read, so a deep document stops at level 65, before it is built.
    return nlohmann::json::parse(text,
                                 [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                                     if (depth > kMaxJsonDepth)
                                         throw Error(what + ": JSON nested deeper than " +
                                                     std::to_string(kMaxJsonDepth) + " levels");
                                     return true;
                                 });
}

} // namespace prunelab
