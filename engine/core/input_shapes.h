#pragma once

// One sample's input shape as the user types it, and a model's several inputs. Free of LibTorch
// and Qt, so the window and the CLI parse the same text.

#include <cstdint>
#include <string>
#include <vector>

namespace prunelab {

/// One sample's shape of each of a model's inputs, in forward's argument order: one entry for
/// most models ([[3, 224, 224]]), several for a forward(image, extra) ([[3, 16, 16], [8]]).
using InputShapes = std::vector<std::vector<int64_t>>;

/// One sample's shape: positive sizes separated by commas (or ×/x), rank 1 to 5 — "64",
/// "3,224,224", "1,16000". @throws Error naming `what` and the text.
std::vector<int64_t> parse_input_shape(const std::string& text, const std::string& what);

/// Several inputs separated by ';' ("3,16,16;8"), or one. @throws Error naming `what`.
InputShapes parse_input_shapes(const std::string& text, const std::string& what);

/// "3×16×16; 8" — for messages and the window.
std::string format_input_shapes(const InputShapes& shapes);

/// "3,16,16;8" — what parse_input_shapes reads back (so stored shapes get the typed limits).
std::string input_shapes_text(const InputShapes& shapes);

/// The shape of one packed sample: a single input's own shape, or for several inputs every
/// input flattened and laid side by side, [Σ sizes] (how data sets hold such samples).
std::vector<int64_t> packed_input_shape(const InputShapes& shapes);

} // namespace prunelab
