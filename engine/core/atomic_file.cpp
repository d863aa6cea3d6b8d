#include "engine/core/atomic_file.h"

#include "engine/core/error.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
    // The atomic rename replaces whatever is at the path: never a device (/dev/null as root),
    // a FIFO or a socket — only a regular file, or nothing yet.
    std::error_code ec;
    const auto status = fs::status(target, ec);
    if (!ec && fs::exists(status) && !fs::is_regular_file(status))
        throw Error("cannot write " + path +
                    ": it is not a regular file (a device, FIFO or socket); give a file path");
    return directory.string();
}

namespace {

void write_all(int fd, const std::vector<char>& bytes)
{
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error(std::strerror(errno));
        written += static_cast<size_t>(n);
    }
}

/// fsync a file written by someone else, so the rename never exposes a file still in cache.
void flush_to_disk(const std::string& file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(std::strerror(errno));
    const bool synced = ::fsync(fd) == 0;
    const std::string reason = synced ? std::string() : std::strerror(errno);
    ::close(fd);
    if (!synced)
        throw Error(reason);
}

/// Removes ".STEM.tmpPID-N.EXT" files of `target` whose writer (PID) no longer runs: what a
/// save killed part-way left behind. Temporaries of live writers, and anything else, stay.
void remove_stale_temporaries(const std::filesystem::path& directory,
                              const std::filesystem::path& target)
{
    namespace fs = std::filesystem;
    const std::string prefix = "." + target.stem().string() + ".tmp";
    const std::string extension = target.extension().string();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + extension.size() ||
            name.compare(name.size() - extension.size(), extension.size(), extension) != 0)
            continue;
        const std::string rest = name.substr(prefix.size());
        const auto dash = rest.find('-');
        if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789") != dash)
            continue; // not our naming (or an older PruneLab's): leave it
        const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
        if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            fs::remove(entry.path(), ec);
    }
}

thread_local OutputBatch* t_batch = nullptr;

} // namespace

OutputBatch::OutputBatch() : m_outer(t_batch)
{
    t_batch = this;
}

OutputBatch::~OutputBatch()
{
    for (const auto& staged : m_staged)
        ::unlink(staged.temporary.c_str());
    t_batch = m_outer;
}

std::vector<std::string> OutputBatch::staged() const
{
    std::vector<std::string> targets;
    for (const auto& staged : m_staged)
        targets.push_back(staged.target);
    return targets;
}

void OutputBatch::commit()
{
    std::vector<Staged> pending;
    pending.swap(m_staged); // what fails to rename is unlinked by the destructor
    std::string renamed;
    for (size_t i = 0; i < pending.size(); ++i) {
        const auto& [temporary, target] = pending[i];
        try {
            check_output_path(target); // the path may have become a device meanwhile
            if (std::rename(temporary.c_str(), target.c_str()) != 0)
                throw Error(std::strerror(errno));
        } catch (const std::exception& e) {
            m_staged.assign(pending.begin() + long(i), pending.end());
            throw Error("cannot write " + target + ": " + e.what() +
                        (renamed.empty() ? std::string() : " (already written: " + renamed + ")"));
        }
        renamed += (renamed.empty() ? "" : ", ") + target;
    }
}

// The last step of an atomic write: rename now, or hand the temporary to the thread's batch.
void stage_or_rename(const std::string& temporary, const std::string& target)
{
    if (t_batch) {
        for (auto& staged : t_batch->m_staged)
            if (staged.target == target) { // written twice: the later content wins
                ::unlink(staged.temporary.c_str());
                staged.temporary = temporary;
                return;
            }
        t_batch->m_staged.push_back({temporary, target});
        return;
    }
    check_output_path(target); // again: the path may have become a device meanwhile
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
        throw Error(std::strerror(errno));
}

void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& temporary)>& write)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path directory(check_output_path(path));
    remove_stale_temporaries(directory, target);
    std::random_device entropy;
    // The writer's PID in the name tells a later write whether this file is abandoned.
    const std::string temporary =
        (directory / ("." + target.stem().string() + ".tmp" + std::to_string(::getpid()) + "-" +
                      std::to_string(entropy()) + target.extension().string()))
            .string();
    try {
        write(temporary);
        if (!fs::exists(temporary))
            throw Error("nothing was written");
        flush_to_disk(temporary);
        stage_or_rename(temporary, path);
    } catch (const std::exception& e) {
        ::unlink(temporary.c_str());
        const std::string reason = e.what();
        // A writer's own error already names the path; a low-level one gets it added.
        if (reason.find(path) != std::string::npos)
            throw;
        throw Error("cannot write " + path + ": " + reason);
    }
}

void write_file_atomically(const std::string& path, const std::vector<char>& bytes)
{
    write_file_atomically(path, [&](const std::string& temporary) {
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            throw Error(std::strerror(errno));
        try {
            write_all(fd, bytes);
        } catch (...) {
            ::close(fd);
            throw;
        }
        if (::close(fd) != 0)
            throw Error(std::strerror(errno));
    });
}

void check_output_paths(const std::vector<std::string>& outputs,
                        const std::vector<std::string>& inputs)
{
    namespace fs = std::filesystem;
    auto same_file = [](const std::string& a, const std::string& b) {
        std::error_code ec;
        const fs::path x = fs::weakly_canonical(fs::absolute(a), ec);
        const fs::path y = fs::weakly_canonical(fs::absolute(b), ec);
        return x == y;
    };
    for (size_t i = 0; i < outputs.size(); ++i) {
        check_output_path(outputs[i]);
        for (size_t j = 0; j < i; ++j)
            if (same_file(outputs[i], outputs[j]))
                throw Error(outputs[i] + ": named for two outputs (as '" + outputs[j] + "' and '" +
                            outputs[i] + "'); give each its own file");
        for (const auto& input : inputs)
            if (fs::exists(input) && same_file(outputs[i], input))
                throw Error(outputs[i] + ": is this command's input; writing it would replace " +
                            "what is being read (choose another file)");
    }
}

void check_regular_file(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw Error(path + ": file not found");
    switch (status.type()) {
    case fs::file_type::regular:
        return;
    case fs::file_type::directory:
        throw Error(path + ": is a directory, not a file");
    case fs::file_type::fifo:
        throw Error(path + ": is a FIFO (named pipe), not a regular file");
    case fs::file_type::socket:
        throw Error(path + ": is a socket, not a regular file");
    case fs::file_type::block:
    case fs::file_type::character:
        throw Error(path + ": is a device, not a regular file");
    default:
        throw Error(path + ": is not a regular file");
    }
}

std::vector<char> read_whole_file(const std::string& path)
{
    check_regular_file(path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open for reading");
    return std::vector<char>((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
}

} // namespace prunelab
