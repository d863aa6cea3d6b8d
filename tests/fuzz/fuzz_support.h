#pragma once

// Shared by the libFuzzer targets (scripts/fuzz.sh): a scratch file per target on tmpfs, since
// the readers under test take paths (and refuse anything but regular files).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace prunelab::fuzz {

inline std::string scratch_directory()
{
    static const std::string directory = [] {
        const std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        const std::string path = base + "/prunelab-fuzz-" + std::to_string(::getpid());
        std::filesystem::create_directories(path);
        return path;
    }();
    return directory;
}

/// Writes the fuzzer's bytes to scratch_directory()/name and returns the path.
inline std::string scratch_file(const std::string& name, const uint8_t* data, size_t size)
{
    const std::string path = scratch_directory() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

} // namespace prunelab::fuzz
