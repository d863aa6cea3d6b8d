#include "engine/interop/input_shape.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/models/model_info.h"

#include <ATen/core/ivalue.h>
#include <torch/serialize.h>

#include <nlohmann/json.hpp>

namespace prunelab {

std::vector<int64_t> example_input_shape(const std::string& path)
{
    const std::vector<char> bytes = read_whole_file(path);
    c10::IValue value;
    try {
        value = torch::pickle_load(bytes);
    } catch (const std::exception&) {
        throw Error(path + ": not a tensor saved with torch.save (torch.save(x, path) in Python)");
    }
    if (value.isTuple() || value.isList() || value.isTensorList())
        throw Error(path + ": holds several tensors (several inputs); PruneLab takes models with "
                           "one input so far");
    if (!value.isTensor())
        throw Error(path + ": holds a " + value.tagKind() +
                    ", not a tensor (save one example batch: torch.save(x, path))");
    const auto sizes = value.toTensor().sizes().vec();
    if (sizes.size() < 2)
        throw Error(path + ": the example input has shape " + format_shape(sizes) +
                    "; save a batch, its first dimension the batch (x.unsqueeze(0) for one "
                    "sample)");
    return {sizes.begin() + 1, sizes.end()};
}

std::string input_shape_json(const std::vector<int64_t>& shape)
{
    return nlohmann::json{{"input_shape", shape}}.dump();
}

std::vector<int64_t> input_shape_from_json(const std::string& text)
{
    try {
        const auto json = nlohmann::json::parse(text);
        // The limits a typed --input-shape has hold for a stored one too.
        std::string typed;
        for (int64_t size : json.at("input_shape").get<std::vector<int64_t>>())
            typed += (typed.empty() ? "" : ",") + std::to_string(size);
        return parse_input_shape(typed, kInputShapeExtraFile);
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
