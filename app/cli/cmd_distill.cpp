#include "app/cli/cli_support.h"
#include "app/cli/command_registry.h"
#include "app/cli/progress_printer.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/mask_set.h"
#include "engine/pruning/pruning_job.h"
#include "engine/training/distillation.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace prunelab::cli {

int run_distill(const ParsedArgs& args, CommandContext& context)
{
    const std::string teacher_arg = args.required("teacher");
    const std::string student_arg = args.required("student");
    const std::string out_path = args.required("out");
    DistillOptions options;
    options.train = train_options_from(args);
    if (!args.has("epochs"))
        options.train.epochs(5);
    options.temperature(args.number_or("temperature", options.temperature()))
        .alpha(args.number_or("alpha", options.alpha()));
    if (!(options.temperature() > 0.0) || !std::isfinite(options.temperature()))
        throw UsageError("--temperature must be a positive number");
    try {
        check_fraction(options.alpha(), "--alpha");
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    check_output_path(out_path); // fail before minutes of work, not after

    Checkpoint teacher = load_model_argument(args, teacher_arg);
    const DataSplits data = load_data_for(args, teacher.net->spec());
    Checkpoint student =
        load_model_for(student_arg, &data, options.train.seed(), input_shape_argument(args));
    // A pruned student (a checkpoint with masks) keeps its masks: distillation replaces the
    // plain fine-tuning after pruning.
    const MaskSet masks = MaskSet::from_tensors(student.masks, *student.net);
    masks.apply_(*student.net);
    const StepHooks hooks = masks.empty() ? StepHooks{} : hold_masks(masks);
    const double student_before = evaluate(*student.net, data.test).accuracy;

    ProgressPrinter printer("distill");
    auto on_progress = [&](const TrainProgress& p) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "epoch %d/%d loss %.4f", p.epoch, p.epochs, p.loss);
        printer.update(p.fraction(), p.eta_seconds, detail);
    };
    const DistillResult result = distill(*teacher.net, *student.net, data.train, &data.test,
                                         options, on_progress, context.cancel, hooks);
    printer.finish();
    if (result.training.cancelled) {
        context.err << "prunelab-cli distill: cancelled; nothing was written\n";
        return 130;
    }
    for (const auto& e : result.training.epochs) {
        char line[200];
        std::snprintf(line, sizeof line,
                      "epoch %2d  loss %.4f (kd %.4f, ce %.4f)  test acc %.2f%%  %.1fs\n", e.epoch,
                      e.train_loss, e.kd_loss, e.ce_loss, e.eval_accuracy * 100.0, e.seconds);
        context.err << line;
    }

    const EpochStats& last = result.training.epochs.back();
    const ModelInfo teacher_info = describe_model(*teacher.net);
    const ModelInfo student_info = describe_model(*student.net);
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : result.training.epochs)
        epochs.push_back({{"epoch", e.epoch},
                          {"loss", e.train_loss},
                          {"kd_loss", e.kd_loss},
                          {"ce_loss", e.ce_loss},
                          {"test_accuracy", e.eval_accuracy},
                          {"seconds", e.seconds}});
    const nlohmann::json distillation = {{"teacher", teacher_arg},
                                         {"teacher_accuracy", result.teacher_accuracy},
                                         {"temperature", options.temperature()},
                                         {"alpha", options.alpha()},
                                         {"training", options_json(options.train)}};
    MetadataUpdate update = trained_metadata(data, last.eval_accuracy, last.eval_loss);
    update.distillation = distillation;
    stamp_metadata(student.metadata, update);
    student.masks = masks.to_bool();
    save_checkpoint(student, out_path);

    if (args.has("json")) {
        nlohmann::json json = distillation;
        json["command"] = "distill";
        json["student"] = student_arg;
        json["data"] = data.spec;
        json["teacher_params"] = teacher_info.total_params;
        json["student_params"] = student_info.total_params;
        json["student_nonzero_weights"] = student_info.nonzero_weights;
        json["student_sparsity"] = student_info.sparsity();
        json["student_accuracy_before"] = student_before;
        json["accuracy"] = last.eval_accuracy;
        json["epochs"] = epochs;
        json["teacher_seconds"] = result.teacher_seconds;
        json["seconds"] = result.training.seconds;
        json["paths"] = {{"checkpoint", out_path}};
        print_json_line(context.out, json);
    } else {
        char line[300];
        std::snprintf(line, sizeof line,
                      "distilled %s (%.2f%%) into %s (%s parameters, %.1f%% of the teacher): test "
                      "accuracy %.2f%% → %.2f%% after %d epochs; wrote %s\n",
                      teacher_arg.c_str(), result.teacher_accuracy * 100.0, student_arg.c_str(),
                      group_digits(student_info.total_params).c_str(),
                      100.0 * double(student_info.total_params) / double(teacher_info.total_params),
                      student_before * 100.0, last.eval_accuracy * 100.0, last.epoch,
                      out_path.c_str());
        context.out << line;
    }
    return 0;
}

} // namespace prunelab::cli
