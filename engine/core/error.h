#pragma once

#include <stdexcept>
#include <string>

namespace prunelab {

/// The one exception type the engine throws for problems a user can act on: a missing or
/// corrupt file, a wrong shape, a bad option. The message names the file or value and the
/// problem, and reads as one line.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

} // namespace prunelab
