#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/progress_printer.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/mask_set.h"
#include "engine/pruning/pruning_job.h"
#include "engine/training/trainer.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <ostream>

namespace prunelab::cli {

int run_train(const ParsedArgs& args, CommandContext& context)
{
    const std::string model = model_argument(args);
    const std::string out_path = args.required("out");
    const TrainOptions options = train_options_from(args);
    check_output_path(out_path); // fail before minutes of work, not after
    // Continuing a checkpoint writes a new file: the one being trained stays as it was.
    check_output_paths({out_path}, {model});

    const InputShapes input_shape = input_shape_argument(args);
    ModelSpec declared =
        is_builtin_model(model) ? default_model_spec(model) : ModelSpec{model, {1, 28, 28}, 10};
    if (!input_shape.empty()) // synthetic data shaped like the model's (packed) input
        declared.input_shape = packed_input_shape(input_shape);
    const DataSplits data = load_data_for(args, declared);
    const double validation_fraction = args.number_or("val-fraction", 0.1);
    Checkpoint checkpoint = load_model_for(model, &data, options.seed(), input_shape);

    // A pruned checkpoint keeps what it is: its masks hold through training (pruned weights
    // stay zero, as a fine-tune holds them) unless the user drops them, which is said and
    // recorded. Training over them silently regrew the pruned weights.
    const MaskSet masks = MaskSet::from_tensors(checkpoint.masks, *checkpoint.net);
    StepHooks hooks;
    if (!masks.empty() && args.has("drop-masks")) {
        checkpoint.masks.clear();
        if (checkpoint.metadata.is_object())
            checkpoint.metadata.erase("pruning");
        context.err << "prunelab-cli train: " << model
                    << " drops its pruning masks (--drop-masks): pruned weights may grow back\n";
    } else if (!masks.empty()) {
        masks.apply_(*checkpoint.net);
        hooks = hold_masks(masks);
        context.err << "prunelab-cli train: " << model
                    << " holds its pruning masks: pruned weights stay zero (--drop-masks lets "
                       "them grow back)\n";
    }
    ProgressPrinter printer("train");
    auto on_progress = [&](const TrainProgress& p) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "epoch %d/%d loss %.4f", p.epoch, p.epochs, p.loss);
        printer.update(p.fraction(), p.eta_seconds, detail);
    };
    const TrainResult result =
        train(*checkpoint.net, data.train, &data.test, options, on_progress, context.cancel, hooks);
    printer.finish();
    if (result.cancelled) {
        context.err << "prunelab-cli train: cancelled; nothing was written\n";
        return 130;
    }
    for (const auto& epoch : result.epochs) {
        char line[160];
        std::snprintf(line, sizeof line,
                      "epoch %2d  loss %.4f  train acc %.2f%%  test acc %.2f%%  %.1fs\n",
                      epoch.epoch, epoch.train_loss, epoch.train_accuracy * 100.0,
                      epoch.eval_accuracy * 100.0, epoch.seconds);
        context.err << line;
    }

    const EpochStats& last = result.epochs.back();
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : result.epochs)
        epochs.push_back({{"epoch", e.epoch},
                          {"train_loss", e.train_loss},
                          {"train_accuracy", e.train_accuracy},
                          {"test_loss", e.eval_loss},
                          {"test_accuracy", e.eval_accuracy},
                          {"seconds", e.seconds}});
    MetadataUpdate update = trained_metadata(data, last.eval_accuracy, last.eval_loss);
    update.train_samples = data.train.size();
    update.test_samples = data.test.size();
    update.training = options_json(options);
    // Which share of the training split it never saw: the window measures a model that saw all
    // of it on the test split instead (Session::accuracy_split).
    update.training["validation_fraction"] = data.validation.size() > 0 ? validation_fraction : 0.0;
    // The window measures on the validation split: recorded, it shows at once when opened.
    if (data.validation.size() > 0 && !measured_by_fidelity(*checkpoint.net, data.validation))
        update.validation_accuracy = evaluate(*checkpoint.net, data.validation).accuracy;
    stamp_metadata(checkpoint.metadata, update);
    save_checkpoint(checkpoint, out_path);

    const double images_per_second = double(result.samples_seen) / result.train_seconds;
    if (args.has("json")) {
        auto json = model_summary_json(describe_model(*checkpoint.net));
        json.erase("layers");
        json["command"] = "train";
        json["data"] = data.spec;
        json["accuracy"] = last.eval_accuracy;
        json["loss"] = last.eval_loss;
        json["train_samples"] = data.train.size();
        if (update.validation_accuracy)
            json["validation_accuracy"] = *update.validation_accuracy;
        json["epochs"] = epochs;
        json["seconds"] = result.seconds;
        json["train_seconds"] = result.train_seconds;
        json["images_per_second"] = images_per_second;
        json["paths"] = {{"checkpoint", out_path}};
        print_json_line(context.out, json);
    } else {
        char line[200];
        std::snprintf(
            line, sizeof line,
            "trained %s: test accuracy %.2f%% after %d epochs (%.0f images/s); wrote %s\n",
            model.c_str(), last.eval_accuracy * 100.0, last.epoch, images_per_second,
            out_path.c_str());
        context.out << line;
    }
    return 0;
}

} // namespace prunelab::cli
