#pragma once

#include "app/cli/command_line.h"

#include "engine/data/data_spec.h"
#include "engine/interop/checkpoint.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/interop/model_loader.h"
#include "engine/models/model_info.h"
#include "engine/pruning/score_index.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

namespace prunelab {
struct TrainOptions;
}

namespace prunelab::cli {

/// The MODEL positional. @throws UsageError when it is missing.
std::string model_argument(const ParsedArgs& args);

/// --input-shape or --example-input: one sample's shape of each input; empty when neither is
/// given. @throws UsageError for both, or a shape that is not one.
InputShapes input_shape_argument(const ParsedArgs& args);

/// Loads MODEL for a command that reads its DATA afterwards, shaped by the model: the model's
/// own input shape (or --input-shape/--example-input); a TorchScript model that says none takes
/// the shape of --data (loaded for that), else the error names the flags.
Checkpoint load_model_argument(const ParsedArgs& args, const std::string& model);

/// Loads DATA (with --train-limit/--test-limit), shaping a bare `synthetic` like `spec`.
DataSplits load_data_for(const ParsedArgs& args, const ModelSpec& spec);
/// The DataOptions the data flags (--data, limits, --val-fraction, image options) ask for.
DataOptions data_options_for(const ParsedArgs& args, const ModelSpec& spec);
/// For decisions (sweep, sensitivity): without --val-fraction, a model PruneLab trained on the
/// whole training split of this data is measured on the test split (it saw every validation
/// sample); the results say which split they measured.
DataSplits load_decision_data_for(const ParsedArgs& args, const Checkpoint& checkpoint);

/// params, nonzero, sparsity, flops and layers, as the CLI's JSON reports them.
nlohmann::json model_summary_json(const ModelInfo& info);

/// The human-readable layer table with a totals row.
void print_layer_table(std::ostream& out, const ModelInfo& info);

/// Writes the JSON object as one line.
void print_json_line(std::ostream& out, const nlohmann::json& object);

/// "1,234,567"
std::string group_digits(long long value);

/// 0.1234 → "12.34%"
std::string format_percent(double fraction);

/// --optimizer, --lr, --momentum, --weight-decay, --lr-schedule, --epochs, --batch, --seed,
/// --threads. @throws UsageError for a bad value.
TrainOptions train_options_from(const ParsedArgs& args);

/// --normalizer and --max-layer-rate (each unset: the granularity's default).
/// @throws UsageError naming the option for a bad value.
std::optional<ScoreNormalizer> normalizer_from(const ParsedArgs& args);
std::optional<double> max_layer_rate_from(const ParsedArgs& args);
/// What a training run (train, distill) stamps into its checkpoint: trained on `data`, its
/// normalization, the last epoch's test accuracy and loss, now.
MetadataUpdate trained_metadata(const DataSplits& data, double accuracy, double loss);
/// The training settings as recorded in a checkpoint's metadata.
nlohmann::json options_json(const TrainOptions& options);

} // namespace prunelab::cli
