#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunelab {

/// The one exception type the engine throws for problems a user can act on: a missing or
/// corrupt file, a wrong shape, a bad option. The message names the file or value and the
/// problem, and reads as one line.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A TorchScript model whose input shape nothing says (no --input-shape, none stored, no data
/// set to take it from): a front end can ask the user and try again.
class UnknownInputShape : public Error
{
public:
    using Error::Error;
};

/// What an exception says, for a person: LibTorch's errors without their C++ backtrace
/// ("frame #13: <unknown function> + 0x50a01"), and of an interpreter error only the line that
/// matters ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x784 and 64x32)").
std::string readable_message(const std::exception& error);

} // namespace prunelab
