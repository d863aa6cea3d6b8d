"""Checks what PruneLab made of a TorchScript model, from Python.

    torchscript_check.py KIND ORIGINAL PRUNED STATE_DICT MASKS IO_SAMPLE GRANULARITY RATE

KIND is mlp, resnet18 or mobilenet_v2. Checks: torch.jit.load opens the pruned model; its
outputs equal PruneLab's on the same input (max abs diff <= 1e-5); the exported state_dict has
the original model's keys and shapes and loads into the original Python class; the masks are
bool under real parameter names, pruned weights are zero, and the pruned share is RATE (weights:
of all Conv2d/Linear weights; filters: of the filters of the layers that lost any, since layers
whose channels PruneLab cannot remove, like those feeding a depthwise convolution, keep theirs).
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from make_torchscript_models import OddlyNamedMLP  # noqa: E402


def fail(message):
    sys.exit(message)


def main():
    kind, original_path, pruned_path, sd_path, masks_path, io_path, granularity, rate = sys.argv[1:9]
    rate = float(rate)
    original = torch.jit.load(original_path)
    pruned = torch.jit.load(pruned_path)
    pruned.eval()

    sample = torch.load(io_path)
    with torch.no_grad():
        out = pruned(sample["input"])
    diff = (out - sample["output"]).abs().max().item()
    if diff > 1e-5:
        fail(f"outputs differ by {diff}")

    state = torch.load(sd_path)
    expected = original.state_dict()
    if set(state) != set(expected):
        fail(f"state_dict keys differ: {sorted(set(state) ^ set(expected))[:5]}")
    for key, value in expected.items():
        if state[key].shape != value.shape:
            fail(f"{key}: {tuple(state[key].shape)} vs {tuple(value.shape)}")
    python_model = OddlyNamedMLP() if kind == "mlp" else getattr(torchvision.models, kind)(num_classes=10)
    python_model.load_state_dict(state)  # strict: the original class takes it as it is

    masks = torch.load(masks_path)
    params = dict(pruned.named_parameters())
    for key, mask in masks.items():
        if mask.dtype != torch.bool or key not in params or mask.shape != params[key].shape:
            fail(f"mask {key} does not fit")
        if (~mask).any() and params[key].detach()[~mask].abs().max().item() != 0.0:
            fail(f"{key}: a masked element is not zero")

    layers = [m for n, m in python_model.named_modules()
              if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and getattr(m, "groups", 1) == 1]
    if granularity == "weight":
        total = sum(m.weight.numel() for m in layers)
        zero = sum(int((m.weight == 0).sum()) for m in layers)
        share = zero / total
    else:
        convs = [m for m in layers if isinstance(m, torch.nn.Conv2d)
                 and bool((m.weight.flatten(1).abs().sum(1) == 0).any())]
        if not convs:
            fail("no filter was pruned")
        filters = sum(m.weight.shape[0] for m in convs)
        zero = sum(int((m.weight.flatten(1).abs().sum(1) == 0).sum()) for m in convs)
        share = zero / filters
    if abs(share - rate) > 0.02:
        fail(f"pruned share {share:.3f}, expected {rate}")
    print(f"ok {kind} {granularity}: outputs diff {diff:.1e}, pruned share {share:.3f}, "
          f"{len(state)} state_dict tensors, {len(masks)} masks")


if __name__ == "__main__":
    main()
