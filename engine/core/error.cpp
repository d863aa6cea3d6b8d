#include "engine/core/error.h"

#include <c10/util/Exception.h>

namespace prunelab {
namespace {

bool is_backtrace_line(const std::string& line)
{
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos)
        return true;
    return line.compare(first, 7, "frame #") == 0 ||
           line.compare(first, 21, "Exception raised from") == 0;
}

} // namespace

std::string readable_message(const std::exception& error)
{
    const auto* torch_error = dynamic_cast<const c10::Error*>(&error);
    const std::string text = torch_error ? torch_error->what_without_backtrace() : error.what();
    // One line: a message of ours already is one; of an interpreter error the last line is
    // the one that names the problem.
    std::string last;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(start, end - start);
        if (!is_backtrace_line(line))
            last = line;
        start = end + 1;
    }
    if (last.size() > 300)
        last = last.substr(0, 297) + "...";
    return last.empty() ? std::string("unknown error") : last;
}

} // namespace prunelab
