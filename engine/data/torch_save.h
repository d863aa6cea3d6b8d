#pragma once

// Reading what Python wrote with torch.save (tensors, tuples, lists, dicts of tensors) without
// Python. LibTorch's own reader (torch::pickle_load) stops at a dict or list of one entry, which
// Python pickles with the SETITEM or APPEND opcode it does not know; this reader accepts them.

#include <ATen/core/ivalue.h>

#include <string>

namespace prunelab {

/// The object saved at `path`. @throws prunelab::Error naming the file: missing, unreadable, or
/// not a torch.save file (the reason in one line).
c10::IValue load_torch_save(const std::string& path);

} // namespace prunelab
