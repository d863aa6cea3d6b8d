"""Checks a compacted TorchScript model from Python.

    compaction_check.py PRUNED COMPACTED C H W [LAYER=WIDTH ...]

torch.jit.load opens both; on the same random input their outputs agree (max abs diff <= 1e-4);
the compacted model has fewer parameters; every LAYER's weight has WIDTH output channels.
Prints one line and exits 0 on success.
"""
import sys

import torch


def main():
    pruned_path, compacted_path = sys.argv[1:3]
    c, h, w = (int(v) for v in sys.argv[3:6])
    pruned = torch.jit.load(pruned_path).eval()
    small = torch.jit.load(compacted_path).eval()
    torch.manual_seed(0)
    x = torch.randn(3, c, h, w)
    with torch.no_grad():
        diff = (pruned(x) - small(x)).abs().max().item()
    if diff > 1e-4:
        sys.exit(f"outputs differ by {diff}")
    before = sum(p.numel() for p in pruned.parameters())
    after = sum(p.numel() for p in small.parameters())
    if after >= before:
        sys.exit(f"not smaller: {before} -> {after} parameters")
    weights = dict(small.named_parameters())
    for spec in sys.argv[6:]:
        layer, width = spec.split("=")
        got = weights[layer + ".weight"].shape[0]
        if got != int(width):
            sys.exit(f"{layer}: {got} output channels, expected {width}")
    print(f"ok {before} -> {after} parameters, max output diff {diff:.2e}")


if __name__ == "__main__":
    main()
