"""Checks PruneLab's exports the way a Python user would use them.

    export_check.py MODEL STATE_DICT MASKS IO_SAMPLE REPORT [C H W CLASSES]

Builds the equivalent PyTorch class (docs/pytorch_models.py; with the widths of a compacted
model when the state_dict's shapes say so), loads the state_dict strictly,
compares keys and shapes, runs the sample input and compares the outputs with PruneLab's
(max abs diff <= 1e-5), checks that the masks are bool, name real parameters, and that masked
weights are zero, and that the report's sparsity agrees. Prints one line and exits 0 on success.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "docs"))
import pytorch_models  # noqa: E402


def main():
    name, sd_path, masks_path, io_path, report_path = sys.argv[1:6]
    c, h, w, classes = (int(v) for v in sys.argv[6:10]) if len(sys.argv) > 6 else (1, 28, 28, 10)
    model = pytorch_models.build(name, c, classes, (h, w))
    state = torch.load(sd_path)
    if any(k in state and state[k].shape != v.shape for k, v in model.state_dict().items()):
        # A compacted model: narrower layers, whose widths the state_dict tells.
        model = pytorch_models.build(name, c, classes, (h, w), widths=pytorch_models.widths_of(state))
    expected = model.state_dict()
    if set(state) != set(expected):
        sys.exit(f"keys differ: only PruneLab {sorted(set(state) - set(expected))}, "
                 f"only PyTorch {sorted(set(expected) - set(state))}")
    for key, value in expected.items():
        if state[key].shape != value.shape:
            sys.exit(f"{key}: PruneLab {tuple(state[key].shape)} vs PyTorch {tuple(value.shape)}")
    model.load_state_dict(state)  # strict
    model.eval()

    sample = torch.load(io_path)
    with torch.no_grad():
        out = model(sample["input"])
    diff = (out - sample["output"]).abs().max().item()
    if diff > 1e-5:
        sys.exit(f"outputs differ by {diff}")

    masks = torch.load(masks_path)
    params = dict(model.named_parameters())
    zeros = 0
    for key, mask in masks.items():
        if mask.dtype != torch.bool or key not in params or mask.shape != params[key].shape:
            sys.exit(f"mask {key}: dtype {mask.dtype}, shape {tuple(mask.shape)} does not fit")
        if params[key].detach()[~mask].abs().max().item() if (~mask).any() else 0.0:
            sys.exit(f"{key}: a masked weight is not zero")
        zeros += int((~mask).sum())

    report = json.load(open(report_path))
    weights = [dict(model.named_modules())[layer["name"]].weight for layer in report["layers"]]
    nonzero = sum(int((wt != 0).sum()) for wt in weights)
    total = sum(wt.numel() for wt in weights)
    if report["nonzero_weights"] != nonzero or report["prunable_weights"] != total:
        sys.exit(f"report says {report['nonzero_weights']}/{report['prunable_weights']} nonzero, "
                 f"the weights {nonzero}/{total}")
    print(f"ok {name}: {len(state)} tensors, max output diff {diff:.2e}, "
          f"{zeros} masked elements, sparsity {1 - nonzero / total:.3f}")


if __name__ == "__main__":
    main()
