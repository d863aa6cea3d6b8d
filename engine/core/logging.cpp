#include "engine/core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace prunelab {

std::shared_ptr<spdlog::logger> logger()
{
    static std::shared_ptr<spdlog::logger> instance = [] {
        auto existing = spdlog::get("prunelab");
        if (existing)
            return existing;
        auto created = spdlog::stderr_color_mt("prunelab");
        created->set_pattern("[%H:%M:%S] [%^%l%$] %v");
        created->set_level(spdlog::level::warn);
        // stderr keeps to warnings even when a GUI sink lowers the logger to info.
        created->sinks().front()->set_level(spdlog::level::warn);
        return created;
    }();
    return instance;
}

} // namespace prunelab
