#include "engine/models/model_info.h"

namespace prunelab {

int64_t ModelSpec::width(const std::string& layer, int64_t standard) const
{
    const auto it = widths.find(layer);
    return it == widths.end() ? standard : it->second;
}

double LayerInfo::sparsity() const
{
    return weight_count == 0 ? 0.0 : 1.0 - double(nonzero_weights) / double(weight_count);
}

double ModelInfo::sparsity() const
{
    return prunable_weights == 0 ? 0.0 : 1.0 - double(nonzero_weights) / double(prunable_weights);
}

double ModelInfo::params_kept() const
{
    return total_params == 0
               ? 1.0
               : 1.0 - double(prunable_weights - nonzero_weights) / double(total_params);
}

double ModelInfo::flops_kept() const
{
    return flops == 0 ? 1.0 : double(effective_flops) / double(flops);
}

InputShapes model_inputs(const ModelSpec& spec)
{
    return spec.inputs.empty() ? InputShapes{spec.input_shape} : spec.inputs;
}

std::string format_shape(const std::vector<int64_t>& shape)
{
    std::string out;
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? "×" : "") + std::to_string(shape[i]);
    return out;
}

} // namespace prunelab
