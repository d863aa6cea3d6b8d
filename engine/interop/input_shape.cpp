#include "engine/interop/input_shape.h"

#include "engine/core/error.h"
#include "engine/core/json_limits.h"
#include "engine/data/torch_save.h"
#include "engine/models/model_info.h"

#include <ATen/core/ivalue.h>

#include <nlohmann/json.hpp>

namespace prunelab {

namespace {

/// One sample's shape from an example batch; `what` names it in errors.
std::vector<int64_t> sample_shape(const c10::IValue& value, const std::string& what)
{
    if (!value.isTensor())
        throw Error(what + " is a " + value.tagKind() +
                    ", not a tensor (save one example batch: torch.save(x, path), or a tuple "
                    "(x1, x2) for several inputs)");
    const auto sizes = value.toTensor().sizes().vec();
    if (sizes.size() < 2)
        throw Error(what + " has shape " + format_shape(sizes) +
                    "; save a batch, its first dimension the batch (x.unsqueeze(0) for one "
                    "sample)");
    return {sizes.begin() + 1, sizes.end()};
}

} // namespace

InputShapes example_input_shapes(const std::string& path)
{
    const c10::IValue value = load_torch_save(path);
    if (!value.isTuple() && !value.isList())
        return {sample_shape(value, path + ": the example input")};
    std::vector<c10::IValue> items;
    if (value.isTuple())
        items = value.toTupleRef().elements().vec();
    else
        for (const c10::IValue item : value.toListRef())
            items.push_back(item);
    if (items.empty())
        throw Error(path + ": the example input is an empty tuple or list");
    InputShapes shapes;
    for (size_t i = 0; i < items.size(); ++i) {
        shapes.push_back(sample_shape(items[i], path + ": example input " + std::to_string(i + 1)));
        if (items[i].toTensor().size(0) != items[0].toTensor().size(0))
            throw Error(path + ": the example inputs have different batch sizes");
    }
    return parse_input_shapes(input_shapes_text(shapes), path); // a typed shape's limits
}

std::string input_shape_json(const InputShapes& shapes)
{
    if (shapes.size() == 1)
        return nlohmann::json{{"input_shape", shapes.front()}}.dump();
    return nlohmann::json{{"input_shapes", shapes}}.dump();
}

InputShapes input_shapes_from_json(const std::string& text)
{
    try {
        const auto json = parse_json_limited(text, kInputShapeExtraFile);
        const InputShapes shapes =
            json.contains("input_shapes")
                ? json.at("input_shapes").get<InputShapes>()
                : InputShapes{json.at("input_shape").get<std::vector<int64_t>>()};
        // The limits a typed --input-shape has hold for a stored one too.
        return parse_input_shapes(input_shapes_text(shapes), kInputShapeExtraFile);
    } catch (const std::exception&) {
        return {};
    }
}

std::string unknown_input_shape_message(const std::string& path)
{
    return path +
           ": the input shape of this TorchScript model is unknown; give --input-shape (one "
           "sample's shape, like 3,224,224 or 64) or --example-input FILE (a batch saved with "
           "torch.save). PruneLab stores it in every model it writes, so later commands need "
           "neither";
}

} // namespace prunelab
