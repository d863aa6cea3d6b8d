#pragma once

// What one sample of a model's input looks like, however the user says it: `--input-shape`
// text ("64", "3,64,64", "1,16000", "3,8,112,112"), an example input saved from Python with
// torch.save (batch first), or the shape PruneLab stored with the model — inside a TorchScript
// archive as the extra file `prunelab/input_shape.json`, in a PruneLab checkpoint's `model`.

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// The extra file of a TorchScript archive that holds one sample's input shape, as JSON
/// `{"input_shape": [3, 64, 64]}`. Python can write it too:
/// `torch.jit.save(m, path, _extra_files={"prunelab/input_shape.json": '{"input_shape": [64]}'})`.
inline constexpr const char* kInputShapeExtraFile = "prunelab/input_shape.json";

// parse_input_shape (the text a user types) is in engine/core/error.h, so the window can use
// it without LibTorch.

/// One sample's shape from a tensor saved with torch.save (a batch: its first dimension is
/// dropped). @throws prunelab::Error naming the file: missing, not a torch.save file, not a
/// single tensor (tuples and lists mean several inputs), fewer than two dimensions.
std::vector<int64_t> example_input_shape(const std::string& path);

/// JSON text of the extra file; and back (an empty vector for text that is not such JSON).
std::string input_shape_json(const std::vector<int64_t>& shape);
std::vector<int64_t> input_shape_from_json(const std::string& text);

/// The error for a TorchScript model whose input shape nothing says.
std::string unknown_input_shape_message(const std::string& path);

} // namespace prunelab
