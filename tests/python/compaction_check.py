"""Checks a compacted TorchScript model from Python.

    compaction_check.py PRUNED COMPACTED SHAPE [LAYER=WIDTH ...]

SHAPE is one sample's shape ("3,32,32", "64"), inputs separated by ';' ("3,16,16;8"). torch.jit.load opens both; on the same random
input every output agrees (a tensor, or the tensors of a tuple, list, dict or named tuple;
max abs diff <= 1e-4); the compacted model has fewer parameters; every LAYER's weight has WIDTH
output channels. Prints one line and exits 0 on success.
"""
import sys

import torch


def tensors(value):
    """The tensors of a forward's result in order (None skipped), as PruneLab flattens them."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in tensors(item)]
    return []


def main():
    pruned_path, compacted_path, shape = sys.argv[1:4]
    pruned = torch.jit.load(pruned_path).eval()
    small = torch.jit.load(compacted_path).eval()
    torch.manual_seed(0)
    xs = [torch.randn(3, *(int(v) for v in one.split(","))) for one in shape.split(";")]
    with torch.no_grad():
        want, got = tensors(pruned(*xs)), tensors(small(*xs))
    if len(want) != len(got) or not want:
        sys.exit(f"{len(got)} outputs, expected {len(want)}")
    diff = max((a - b).abs().max().item() for a, b in zip(want, got))
    if diff > 1e-4:
        sys.exit(f"outputs differ by {diff}")
    before = sum(p.numel() for p in pruned.parameters())
    after = sum(p.numel() for p in small.parameters())
    if after >= before:
        sys.exit(f"not smaller: {before} -> {after} parameters")
    weights = dict(small.named_parameters())
    for spec in sys.argv[4:]:
        layer, width = spec.split("=")
        got = weights[layer + ".weight"].shape[0]
        if got != int(width):
            sys.exit(f"{layer}: {got} output channels, expected {width}")
    print(f"ok {len(want)} outputs, {before} -> {after} parameters, max output diff {diff:.2e}")


if __name__ == "__main__":
    main()
