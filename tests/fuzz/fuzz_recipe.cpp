// A recipe: JSON with the nesting and size limits, then every field's checks.
#include "engine/core/error.h"
#include "engine/core/json_limits.h"
#include "engine/pruning/recipe.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto json = prunelab::parse_json_limited(text, "fuzz.json");
        prunelab::recipe_from_json(json, "fuzz.json");
    } catch (const prunelab::Error&) {
    } catch (const nlohmann::json::exception&) {
    }
    return 0;
}
