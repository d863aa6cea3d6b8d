#include "app/cli/command_registry.h"

namespace prunelab::cli {
namespace {

OptionSpec normalizer_option()
{
    return {"normalizer", "N",
            "global rate: divide each layer's scores by none, l2, max or mean before ranking "
            "(default: mean for filters, neurons and heads; none for weights)"};
}

OptionSpec max_layer_rate_option()
{
    return {"max-layer-rate", "R",
            "global rate: no layer loses more than this share, unless the rate is higher "
            "(default 0.9 for filters, neurons and heads; no limit for weights)"};
}

OptionSpec json_option()
{
    return {"json", "", "print one JSON object with the results as the last line"};
}

std::vector<OptionSpec> data_options()
{
    return {{"data", "DATA", "data set (default fashion-mnist)"},
            {"train-limit", "N", "use only the first N training samples"},
            {"test-limit", "N", "use only the first N test (and validation) samples"},
            {"val-fraction", "F",
             "share of the training data held out (by a fixed shuffle) as the validation split "
             "that sensitivity, automatic allocation and sweeps measure on (default 0.1; 0: "
             "the test split, which is also the default for a model PruneLab trained on every "
             "training sample of this data)"},
            {"crop-ratio", "R",
             "images:DIR: sample size over resized size, then a centre crop (default 0.875; 1: "
             "no crop)"},
            {"no-augment", "", "images:DIR: no random crops and flips of training batches"},
            {"normalize", "N",
             "images:DIR: auto (the training images' mean and std), imagenet, none or "
             "MEAN,…/STD,… (default auto)"},
            {"max-memory", "SIZE",
             "refuse data that would take more memory than this (512M, 8G; default ¾ of RAM)"}};
}

/// The optimizer settings `train` and `distill` share.
std::vector<OptionSpec> training_options(const std::string& seed_help,
                                         const std::string& epochs_help)
{
    return {{"epochs", "N", epochs_help},
            {"optimizer", "sgd|adam", "optimizer (default adam)"},
            {"lr", "LR", "learning rate (default 0.002 for adam, 0.01 for sgd)"},
            {"momentum", "M", "SGD momentum (default 0.9)"},
            {"weight-decay", "WD", "weight decay (default 0)"},
            {"lr-schedule", "constant|step|cosine", "learning-rate schedule (default cosine)"},
            {"batch", "B", "batch size (default 64)"},
            {"seed", "S", seed_help},
            {"threads", "T", "CPU threads (default: all cores)"}};
}

std::vector<OptionSpec> with(std::vector<OptionSpec> base, const std::vector<OptionSpec>& more)
{
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

/// Every command that opens a MODEL takes how to feed a TorchScript model that does not say.
std::vector<CommandInfo> with_model_inputs(std::vector<CommandInfo> commands)
{
    const std::vector<OptionSpec> inputs = {
        {"input-shape", "SHAPE",
         "one sample's input shape for a TorchScript model that stores none: 64, 3,224,224, "
         "1,16000 (no batch dimension; stored in every model PruneLab writes)"},
        {"example-input", "F",
         "an example batch saved in Python with torch.save(x, F); its shape without the first "
         "(batch) dimension is the input shape"}};
    for (auto& command : commands)
        if (command.name != "run" && command.name != "demo")
            command.options.insert(command.options.end(), inputs.begin(), inputs.end());
    return commands;
}

} // namespace

const std::vector<CommandInfo>& all_commands()
{
    static const std::vector<CommandInfo> commands = with_model_inputs({
        {"info",
         "info MODEL [--groups] [--json]",
         "List the model's prunable layers: name, kind, shape, params, sparsity, FLOPs; with "
         "--groups also the channel groups that structured pruning removes together.",
         {{"groups", "", "also list the channel groups (coupled layers, fixed ones and why)"},
          json_option()},
         1,
         run_info},
        {"train", "train MODEL --data DATA --epochs N [options] --out CKPT [--json]",
         "Train a model (a fresh built-in one, or continue a checkpoint) and save a checkpoint.",
         with(with(data_options(),
                   training_options("random seed for initialization and shuffling (default 1)",
                                    "epochs (default 10)")),
              {{"out", "CKPT", "where to write the trained checkpoint (required)"},
               {"drop-masks", "",
                "a pruned checkpoint: train without its masks (pruned weights may grow back; "
                "the masks and the pruning record are dropped). By default they hold"},
               json_option()}),
         1, run_train},
        {"run",
         "run RECIPE.json [--out CKPT] [--json]",
         "Replay a recipe (docs/recipe-format.md): model, data, criterion, granularity, rates, "
         "exclusions, schedule, fine-tuning and exports. With the same seeds it reproduces the "
         "masks bit for bit. `prune --save-recipe F` writes one.",
         {{"out", "CKPT", "write the checkpoint here instead of the recipe's exports.checkpoint"},
          {"allow-paths", "",
           "let the recipe's exports write outside its folder (absolute or ../ paths)"},
          {"max-memory", "SIZE",
           "refuse data that would take more memory than this (512M, 8G; default ¾ of RAM)"},
          json_option()},
         1,
         run_recipe},
        {"export",
         "export MODEL [--state-dict F] [--masks F] [--report F] [--io-sample F] [--netron F] "
         "[--onnx F [--opset N] [--onnx-check]] [--sparse F [--int8]] [--data DATA] [--json]",
         "Write files Python reads without PruneLab: the state_dict (PyTorch names; loads into the "
         "classes of docs/pytorch_models.py), the masks (bool tensors), a JSON report, and an "
         "input/output sample to compare outputs. Each file is written atomically.",
         with(
             data_options(),
             {{"state-dict", "F", "the state_dict as a dict of tensors (torch.load)"},
              {"masks", "F", "the masks as a dict of bool tensors, true keeps (torch.load)"},
              {"report", "F",
               "JSON: per layer shape, params, nonzero, sparsity, FLOPs before/after; "
               "data, accuracy before/after, pruning settings"},
              {"io-sample", "F",
               "{'input': x, 'output': model(x)} (test images with --data, else seeded noise)"},
              {"netron", "F",
               "a Netron metrics sidecar (netron:attachment JSON): per layer and weight tensor "
               "sparsity, FLOPs and importance statistics; drop it on the model in Netron"},
              {"onnx", "F",
               "the model as ONNX (dynamic batch, initializers under the PyTorch parameter "
               "names), checked by ONNX's checker; runs in ONNX Runtime, TensorRT, OpenVINO"},
              {"opset", "N", "ONNX opset 13 to 17 (default 17; before 17 LayerNorm is decomposed)"},
              {"sparse", "F",
               "the checkpoint in sparse storage: kept positions as a bitmask or CSR plus their "
               "values (docs/sparse-format.md); prunelab-cli and docs/prunelab_sparse.py read it"},
              {"int8", "", "with --sparse: the kept weights as per-channel symmetric int8"},
              {"onnx-check", "",
               "run the ONNX file in ONNX Runtime and compare its outputs with the model's "
               "(fails above 1e-4 relative)"},
              json_option()}),
         1, run_export},
        {"compact", "compact MODEL --out CKPT [--state-dict F] [--report F] [--data DATA] [--json]",
         "Remove pruned filters and neurons for real: every channel whose whole group (the "
         "filters or neurons of coupled layers, their biases and BatchNorms) is pruned is cut "
         "from every layer that makes or reads it. The smaller model computes the same outputs "
         "(checked); weight-level masks left over are kept. A TorchScript model stays TorchScript.",
         with(data_options(),
              {{"out", "CKPT", "where to write the compacted model (required)"},
               {"state-dict", "F", "also write its state_dict (the new shapes) for torch.load"},
               {"report", "F", "also write the JSON report of the compacted model"},
               json_option()}),
         1, run_compact},
        {"bench",
         "bench MODEL [MODEL ...] [F.onnx ...] [--batch B] [--runs N] [--warmup N] [--threads T] "
         "[--json]",
         "Inference latency (median of many runs after warm-up) and throughput; several models "
         "are timed in turns on the same input, with speedups against the first. .onnx files "
         "(export --onnx) are timed in ONNX Runtime with the same threads and input shape: the "
         "speed a deployment will see.",
         {{"batch", "B", "samples per forward pass (default 1)"},
          {"runs", "N", "timed runs per model (default 50)"},
          {"warmup", "N", "untimed runs first (default 5)"},
          {"max-seconds", "S", "stop after this much timing, at least 5 runs (default 60)"},
          {"threads", "T", "CPU threads (default: all cores)"},
          json_option()},
         16,
         run_bench},
        {"distill",
         "distill --teacher MODEL --student MODEL --data DATA [--temperature T] [--alpha A] "
         "[--epochs N] [options] --out CKPT [--json]",
         "Knowledge distillation (Hinton et al. 2015): train the student on "
         "α·T²·KL(teacher ‖ student at temperature T) + (1−α)·cross-entropy. The student is a "
         "fresh built-in model or a checkpoint; a pruned checkpoint keeps its masks.",
         with(
             with(
                 with(
                     data_options(),
                     {{"teacher", "MODEL", "the trained teacher: default, a checkpoint (required)"},
                      {"student", "MODEL",
                       "a built-in name (fresh, seeded) or a checkpoint (required)"},
                      {"temperature", "T", "softmax temperature, > 0 (default 4)"},
                      {"alpha", "A", "weight of the distillation term, in [0, 1] (default 0.9)"}}),
                 training_options("seed for the student's initialization and shuffling (default 1)",
                                  "epochs (default 5)")),
             {{"out", "CKPT", "where to write the student checkpoint (required)"}, json_option()}),
         0, run_distill},
        {"prune",
         "prune MODEL --data DATA --criterion C --granularity weight|neuron|filter|head "
         "(--rate R [--global] | --threshold T | --layer-rate NAME=R ...) [--exclude NAME ...] "
         "[--schedule oneshot|linear|agp --steps K] [--finetune-epochs N] --out CKPT [--json]",
         "Score, prune and optionally fine-tune a model (masks held through fine-tuning); "
         "write the pruned checkpoint with its masks.",
         with(data_options(),
              {{"criterion", "C",
                "l1 (default), l2, activation, activation-abs, gradient, taylor, wanda, random"},
               {"granularity", "G",
                "weight (default), neuron (Linear rows), filter (Conv2d filters), head (attention "
                "heads), or an N:M weight pattern such as 2:4"},
               {"per-row", "",
                "weights: take the rate within every output row (as Wanda compares weights)"},
               {"rate", "R", "fraction to prune in every layer (or across layers with --global)"},
               {"global", "", "rank all layers together for --rate (as global_unstructured)"},
               normalizer_option(),
               max_layer_rate_option(),
               {"threshold", "T", "prune elements whose score is <= T"},
               {"layer-rate", "NAME=R", "rate for one layer (repeatable)", true},
               {"exclude", "NAME", "never prune this layer (repeatable)", true},
               {"round-to", "8|16", "structured: keep a multiple of 8 or 16 units"},
               {"group-reduction", "mean|sum",
                "structured: how coupled layers (a residual group) score a shared channel (default "
                "mean)"},
               {"calibration-batches", "N", "batches of 128 for data-driven criteria (default 32)"},
               {"schedule", "S", "oneshot (default), linear or agp"},
               {"save-recipe", "F",
                "after a completed run, write the recipe that replays it (prunelab-cli run F)"},
               {"state-dict", "F",
                "also write the pruned state_dict (PyTorch names) for torch.load"},
               {"masks", "F", "also write the masks (bool tensors) for torch.load"},
               {"report", "F", "also write the JSON report"},
               {"steps", "K", "prune/fine-tune rounds for linear and agp (default 5)"},
               {"finetune-epochs", "N", "fine-tune epochs after each step, masks held (default 0)"},
               {"final-finetune-epochs", "N",
                "extra fine-tuning after the last step, cosine lr (default 0)"},
               {"lr", "LR", "fine-tune learning rate (default 0.0005)"},
               {"optimizer", "sgd|adam", "fine-tune optimizer (default adam)"},
               {"lr-schedule", "S",
                "fine-tune lr schedule per step: constant (default), step, cosine"},
               {"batch", "B", "fine-tune batch size (default 64)"},
               {"seed", "S", "seed for random scores and fine-tuning"},
               {"out", "CKPT",
                "where to write the pruned checkpoint (required; a TorchScript model is written as "
                "TorchScript, pruning folded in)"},
               json_option()}),
         1, run_prune},
        {"sweep",
         "sweep MODEL --data DATA --criteria C1,C2 --sparsities S1,S2,.. [--finetune-epochs N] "
         "--csv FILE [--plot FILE.png] [--json]",
         "Accuracy against sparsity for several criteria; every point starts from the same "
         "dense weights.",
         with(data_options(),
              {{"criteria", "C1,C2", "criteria to compare (default l1)"},
               {"sparsities", "S1,S2", "sparsities (default 0.5,0.7,0.9)"},
               {"granularity", "G", "weight (default), neuron, filter or head"},
               {"per-layer", "", "the same rate in every layer instead of a global ranking"},
               normalizer_option(),
               max_layer_rate_option(),
               {"exclude", "NAME", "never prune this layer (repeatable)", true},
               {"finetune-epochs", "N", "fine-tune epochs per point, masks held (default 0)"},
               {"lr", "LR", "fine-tune learning rate (default 0.0005)"},
               {"calibration-batches", "N", "batches of 128 for data-driven criteria (default 32)"},
               {"seed", "S", "seed for random scores"},
               {"csv", "FILE", "where to write the points (required)"},
               {"plot", "FILE", "also draw the curves (.png or .pdf)"},
               json_option()}),
         1, run_sweep_command},
        {"sensitivity",
         "sensitivity MODEL --data DATA --criterion C --sparsities .. --csv FILE [--plot FILE.png] "
         "[--target S] [--json]",
         "Prune each layer alone at each sparsity and record accuracy; with --target, pick "
         "per-layer rates for that overall sparsity from the curves.",
         with(data_options(),
              {{"criterion", "C", "criterion (default l1)"},
               {"granularity", "G", "weight (default), neuron, filter or head"},
               {"sparsities", "S1,S2", "layer sparsities (default 0.1,...,0.9)"},
               {"target", "S", "overall sparsity to allocate per layer from the curves"},
               {"calibration-batches", "N", "batches of 128 for data-driven criteria (default 32)"},
               {"seed", "S", "seed for random scores"},
               {"csv", "FILE", "where to write the points (required)"},
               {"plot", "FILE", "also draw the curves (.png or .pdf)"},
               json_option()}),
         1, run_sensitivity_command},
        {"eval", "eval MODEL --data DATA [--reference DENSE] [--json]",
         "Evaluate a model's accuracy and loss on the test split; with --reference, also its "
         "output fidelity to that model (the only measure of a model without classes).",
         with(data_options(),
              {{"reference", "MODEL",
                "the dense model to compare outputs with (relative L2 error, cosine, top-1 "
                "agreement)"},
               json_option()}),
         1, run_eval},
        {"demo",
         "demo [--json]",
         "Run the embedded default end to end: load the trained ConvNet, evaluate it on "
         "Fashion-MNIST, print its layer table.",
         {{"test-limit", "N", "evaluate on the first N test samples only"}, json_option()},
         0,
         run_demo},
    });
    return commands;
}

const CommandInfo* find_command(const std::string& name)
{
    for (const auto& command : all_commands())
        if (command.name == name)
            return &command;
    return nullptr;
}

} // namespace prunelab::cli
