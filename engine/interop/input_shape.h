#pragma once

// What one sample of a model's input looks like, however the user says it: `--input-shape`
// text ("64", "3,64,64", "1,16000", "3,8,112,112"), an example input saved from Python with
// torch.save (batch first), or the shape PruneLab stored with the model — inside a TorchScript
// archive as the extra file `prunelab/input_shape.json`, in a PruneLab checkpoint's `model`.

#include "engine/core/input_shapes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// The extra file of a TorchScript archive that holds one sample's input shape, as JSON
/// `{"input_shape": [3, 64, 64]}` — or, for a forward with several inputs,
/// `{"input_shapes": [[3, 16, 16], [8]]}`. Python can write it too:
/// `torch.jit.save(m, path, _extra_files={"prunelab/input_shape.json": '{"input_shape": [64]}'})`.
inline constexpr const char* kInputShapeExtraFile = "prunelab/input_shape.json";

// parse_input_shapes (the text a user types) is in engine/core/input_shapes.h, so the window
// can use it without LibTorch.

/// One sample's shape of each input from an example saved with torch.save: a tensor (a batch:
/// its first dimension is dropped), or a tuple or list of them for several inputs.
/// @throws prunelab::Error naming the file: missing, not a torch.save file, not tensors, fewer
/// than two dimensions, batches of different sizes.
InputShapes example_input_shapes(const std::string& path);

/// JSON text of the extra file; and back (empty for text that is not such JSON).
std::string input_shape_json(const InputShapes& shapes);
InputShapes input_shapes_from_json(const std::string& text);

/// The error for a TorchScript model whose input shape nothing says.
std::string unknown_input_shape_message(const std::string& path);

} // namespace prunelab
