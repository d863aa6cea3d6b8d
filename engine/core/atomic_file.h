#pragma once

#include <functional>
#include <string>
#include <vector>

namespace prunelab {

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so a failure never leaves a half-written file and never harms a
/// file already at `path`.
/// @throws prunelab::Error naming the path when the directory is missing or not writable.
void write_file_atomically(const std::string& path, const std::vector<char>& bytes);

/// Makes the outputs of one command land together. While a batch lives, every
/// write_file_atomically on its thread writes and flushes its temporary as usual but leaves the
/// rename to commit(), which renames them all after the last is written; a batch destroyed
/// uncommitted (an error, a cancel) removes its temporaries, so no output of a failed command
/// is left on disk (issue 16: an unwritable last output left the earlier ones). Nothing written
/// inside a batch is visible before commit(), so a command must not read back its own output.
class OutputBatch
{
public:
    OutputBatch();
    ~OutputBatch();
    OutputBatch(const OutputBatch&) = delete;
    OutputBatch& operator=(const OutputBatch&) = delete;

    /// Renames every staged temporary over its target, in the order written.
    /// @throws prunelab::Error naming the output that could not be renamed (the rest are
    ///         removed; those renamed before it stay, and the message lists them).
    void commit();
    /// The outputs staged so far, in order.
    std::vector<std::string> staged() const;

private:
    friend void stage_or_rename(const std::string&, const std::string&);
    struct Staged
    {
        std::string temporary;
        std::string target;
    };
    std::vector<Staged> m_staged;
    OutputBatch* m_outer;
};

/// The same for writers that want a path, not bytes (a TorchScript module, a plot): `write`
/// creates the file at the temporary path it is given (same directory and extension as `path`);
/// then it is flushed and renamed over `path`. An exception from `write` removes the temporary
/// and propagates; `path` is untouched.
/// @throws prunelab::Error naming the path when the directory is missing, `write` made no file,
///         or the file cannot be flushed or renamed.
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& temporary)>& write);

/// Checks before long work that `path` could be written: its directory exists and it is not
/// itself a directory, a device, a FIFO or a socket (only a regular file is ever replaced).
/// @throws prunelab::Error naming the path. Returns the directory.
std::string check_output_path(const std::string& path);

/// Checks every output of one command before any work: each as check_output_path, no file
/// named for two outputs, and none that is one of the command's `inputs` (an export over the
/// checkpoint it reads replaced the checkpoint). Inputs that are not files (a built-in's name)
/// are ignored. @throws prunelab::Error naming the path and the clash.
void check_output_paths(const std::vector<std::string>& outputs,
                        const std::vector<std::string>& inputs);

/// Checks that `path` names a regular file before anything opens it: a FIFO would block the
/// reader forever (and a device could stream without end). @throws prunelab::Error naming the
/// path and what it is instead ("is a FIFO (named pipe), not a regular file").
void check_regular_file(const std::string& path);

/// Reads a whole file. @throws prunelab::Error naming the path when it is missing, not a regular
/// file, or unreadable.
std::vector<char> read_whole_file(const std::string& path);

} // namespace prunelab
