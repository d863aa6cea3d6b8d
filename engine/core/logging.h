#pragma once

#include <memory>

namespace spdlog {
class logger;
}

namespace prunelab {

/// The engine's shared logger ("prunelab"). Created on first use with a stderr sink; the GUI
/// adds its own sink to forward records to the log dock.
std::shared_ptr<spdlog::logger> logger();

} // namespace prunelab
