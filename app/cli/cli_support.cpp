#include "app/cli/cli_support.h"

#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/data/memory_cap.h"
#include "engine/interop/input_shape.h"
#include "engine/interop/script_net.h"

#include "engine/training/trainer.h"

#include <ctime>

#include "engine/interop/model_loader.h"
#include "engine/models/model_factory.h"

#include <cstdio>
#include <ostream>

namespace prunelab::cli {

std::string model_argument(const ParsedArgs& args)
{
    if (args.positionals().empty())
        throw UsageError("MODEL is missing");
    return args.positionals().front();
}

InputShapes input_shape_argument(const ParsedArgs& args)
{
    const auto text = args.value("input-shape");
    const auto example = args.value("example-input");
    if (text && example)
        throw UsageError("give --input-shape or --example-input, not both");
    try {
        if (text)
            return parse_input_shapes(*text, "--input-shape");
        if (example)
            return example_input_shapes(*example);
    } catch (const UnknownInputShape&) {
        throw;
    } catch (const Error& e) {
        if (text)
            throw UsageError(e.what());
        throw;
    }
    return {};
}

Checkpoint load_model_argument(const ParsedArgs& args, const std::string& model)
{
    const InputShapes shape = input_shape_argument(args);
    try {
        return load_model_for(model, nullptr, 0, shape);
    } catch (const UnknownInputShape&) {
        if (!args.has("data"))
            throw;
    }
    const DataSplits data = load_data_for(args, ModelSpec{});
    return load_model_for(model, &data, 0, shape);
}

DataSplits load_decision_data_for(const ParsedArgs& args, const Checkpoint& checkpoint)
{
    if (args.has("val-fraction") ||
        !saw_whole_training_split(checkpoint.metadata, args.value_or("data", "fashion-mnist")))
        return load_data_for(args, checkpoint.net->spec());
    DataOptions options = data_options_for(args, checkpoint.net->spec());
    return load_data(options.validation_fraction(0.0));
}

DataSplits load_data_for(const ParsedArgs& args, const ModelSpec& spec)
{
    return load_data(data_options_for(args, spec));
}

DataOptions data_options_for(const ParsedArgs& args, const ModelSpec& spec)
{
    const long long train_limit = args.integer_or("train-limit", 0);
    const long long test_limit = args.integer_or("test-limit", 0);
    if (train_limit < 0 || test_limit < 0)
        throw UsageError("--train-limit and --test-limit must not be negative");
    DataOptions options;
    options.spec(args.value_or("data", "fashion-mnist"))
        .train_limit(train_limit)
        .test_limit(test_limit)
        .validation_fraction(args.number_or("val-fraction", 0.1))
        .crop_ratio(args.number_or("crop-ratio", 0.875))
        .augment(!args.has("no-augment"))
        .normalize(args.value_or("normalize", "auto"))
        .synthetic_shape(spec.input_shape)
        .synthetic_classes(spec.num_classes);
    if (args.has("max-memory"))
        options.max_memory(parse_byte_size(args.value_or("max-memory", ""), "--max-memory"));
    return options;
}

nlohmann::json model_summary_json(const ModelInfo& info)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : info.layers)
        layers.push_back({{"name", layer.name},
                          {"kind", layer.kind},
                          {"shape", layer.weight_shape},
                          {"output_shape", layer.output_shape},
                          {"params", layer.params},
                          {"nonzero", layer.nonzero_weights},
                          {"sparsity", layer.sparsity()},
                          {"flops", layer.flops},
                          {"effective_flops", layer.effective_flops}});
    return {{"model", info.spec.name},
            {"input_shape", info.spec.input_shape}, // packed, for several inputs
            {"input_shapes", model_inputs(info.spec)},
            {"num_classes", info.spec.num_classes},
            {"params", info.total_params},
            {"prunable_weights", info.prunable_weights},
            {"nonzero", info.nonzero_weights},
            {"sparsity", info.sparsity()},
            {"flops", info.flops},
            {"effective_flops", info.effective_flops},
            {"layers", layers}};
}

std::string format_percent(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f%%", fraction * 100.0);
    return text;
}

std::string group_digits(long long value)
{
    std::string digits = std::to_string(value < 0 ? -value : value);
    for (int i = int(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(size_t(i), ",");
    return (value < 0 ? "-" : "") + digits;
}

void print_layer_table(std::ostream& out, const ModelInfo& info)
{
    char line[256];
    std::snprintf(line, sizeof line, "%-24s %-7s %-16s %12s %9s %15s\n", "layer", "kind", "shape",
                  "params", "sparsity", "FLOPs (MAC)");
    out << line;
    for (const auto& layer : info.layers) {
        std::string shape;
        for (size_t i = 0; i < layer.weight_shape.size(); ++i)
            shape += (i ? "x" : "") + std::to_string(layer.weight_shape[i]);
        std::snprintf(line, sizeof line, "%-24s %-7s %-16s %12s %8.2f%% %15s\n", layer.name.c_str(),
                      layer.kind.c_str(), shape.c_str(), group_digits(layer.params).c_str(),
                      layer.sparsity() * 100.0, group_digits(layer.flops).c_str());
        out << line;
    }
    std::snprintf(line, sizeof line, "%-24s %-7s %-16s %12s %8.2f%% %15s\n", "total", "", "",
                  group_digits(info.total_params).c_str(), info.sparsity() * 100.0,
                  group_digits(info.flops).c_str());
    out << line;
}

void print_json_line(std::ostream& out, const nlohmann::json& object)
{
    out << object.dump() << std::endl;
}

std::optional<ScoreNormalizer> normalizer_from(const ParsedArgs& args)
{
    if (!args.has("normalizer"))
        return std::nullopt;
    try {
        return parse_score_normalizer(*args.value("normalizer"));
    } catch (const Error& e) {
        throw UsageError(std::string("--normalizer: ") + e.what());
    }
}

std::optional<double> max_layer_rate_from(const ParsedArgs& args)
{
    if (!args.has("max-layer-rate"))
        return std::nullopt;
    try {
        return parse_fraction(*args.value("max-layer-rate"), "--max-layer-rate");
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

TrainOptions train_options_from(const ParsedArgs& args)
{
    TrainOptions options;
    const std::string optimizer = args.value_or("optimizer", options.optimizer());
    if (optimizer != "sgd" && optimizer != "adam")
        throw UsageError("--optimizer must be sgd or adam, not '" + optimizer + "'");
    options.optimizer(optimizer)
        .lr(args.number_or("lr", optimizer == "sgd" ? 0.01 : options.lr()))
        .momentum(args.number_or("momentum", options.momentum()))
        .weight_decay(args.number_or("weight-decay", options.weight_decay()))
        .lr_schedule(args.value_or("lr-schedule", options.lr_schedule()))
        .epochs(int(args.integer_or("epochs", options.epochs())))
        .batch(args.integer_or("batch", options.batch()))
        .seed(uint64_t(args.integer_or("seed", int64_t(options.seed()))))
        .threads(int(args.integer_or("threads", 0)));
    if (options.epochs() < 1)
        throw UsageError("--epochs must be at least 1");
    return options;
}

nlohmann::json options_json(const TrainOptions& o)
{
    return {{"optimizer", o.optimizer()}, {"lr", o.lr()},
            {"momentum", o.momentum()},   {"weight_decay", o.weight_decay()},
            {"epochs", o.epochs()},       {"batch", o.batch()},
            {"seed", o.seed()},           {"lr_schedule", o.lr_schedule()}};
}

MetadataUpdate trained_metadata(const DataSplits& data, double accuracy, double loss)
{
    MetadataUpdate update;
    update.trained = true;
    update.data = data.spec;
    update.normalization = {{"mean", data.normalization.mean}, {"std", data.normalization.std}};
    update.test_accuracy = accuracy;
    update.test_loss = loss;
    update.created = utc_now();
    return update;
}

} // namespace prunelab::cli
