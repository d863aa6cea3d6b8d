#include "engine/core/atomic_file.h"

#include "engine/core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace prunelab {

std::string check_output_path(const std::string& path)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(directory))
        throw Error("cannot write " + path + ": directory " + directory.string() +
                    " does not exist");
    if (fs::is_directory(target))
        throw Error("cannot write " + path + ": it is a directory");
    return directory.string();
}

void write_file_atomically(const std::string& path, const std::vector<char>& bytes)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path directory(check_output_path(path));

    std::random_device entropy;
    const fs::path temporary =
        directory / ("." + target.filename().string() + ".tmp" + std::to_string(entropy()));
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot write " + path + ": " + std::strerror(errno));
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temporary.c_str());
            throw Error("cannot write " + path + ": " + reason);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error("cannot write " + path + ": " + reason);
    }
    if (std::rename(temporary.c_str(), target.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error("cannot write " + path + ": " + reason);
    }
}

std::vector<char> read_whole_file(const std::string& path)
{
    if (!std::filesystem::exists(path))
        throw Error(path + ": file not found");
    if (std::filesystem::is_directory(path))
        throw Error(path + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open for reading");
    return std::vector<char>((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
}

} // namespace prunelab
