"""Reads PruneLab's sparse checkpoints into a plain state_dict, with torch and numpy only.

    prunelab-cli export pruned.pt --sparse pruned_sparse.pt [--int8]

    import prunelab_sparse
    state_dict, masks, model = prunelab_sparse.load("pruned_sparse.pt")
    net.load_state_dict(state_dict)          # the classes of docs/pytorch_models.py

`state_dict`: every parameter and buffer as a dense tensor (pruned weights zero; int8 values
multiplied back by their scales). `masks`: bool tensors (True keeps) for the tensors PruneLab had
masks for. `model`: PruneLab's description of the model ({"name", "input_shape",
"num_classes", ...}). The format is described in docs/sparse-format.md.

    python3 prunelab_sparse.py FILE      # prints each tensor's encoding and size
"""
import json
import sys

import numpy
import torch


def decode(entry):
    """One stored tensor: returns (dense tensor, bool tensor of the kept positions)."""
    shape = [int(d) for d in entry["shape"]]
    count = int(numpy.prod(shape)) if shape else 1
    rows = shape[0] if len(shape) >= 2 else 1
    cols = count // rows if rows else 0
    encoding = entry["encoding"]
    values = entry["values"].reshape(-1)
    if encoding == "dense":
        kept = torch.ones(count, dtype=torch.bool)
    elif encoding == "bitmask":
        bits = numpy.unpackbits(entry["bits"].numpy(), bitorder="little")[:count]
        kept = torch.from_numpy(bits.astype(bool))
    elif encoding == "csr":
        row_ptr = entry["row_ptr"].long()
        row_of = torch.repeat_interleave(torch.arange(rows), row_ptr.diff())
        kept = torch.zeros(count, dtype=torch.bool)
        kept[row_of * cols + entry["col"].long()] = True
    else:
        raise ValueError("unknown encoding " + repr(encoding))
    if "scales" in entry:  # int8: one symmetric scale per row (output channel)
        row_of_value = torch.arange(count)[kept] // cols
        values = values.float() * entry["scales"][row_of_value]
    if encoding == "dense":
        tensor = values.reshape(shape)
    else:
        tensor = torch.zeros(count, dtype=values.dtype)
        tensor[kept] = values
        tensor = tensor.reshape(shape)
    return tensor, kept.reshape(shape)


def load(path):
    """(state_dict, masks, model description) of a sparse PruneLab checkpoint."""
    root = torch.load(path)
    if root.get("format") != "prunelab-checkpoint" or "sparse_state" not in root:
        raise ValueError(path + " is not a sparse PruneLab checkpoint "
                         "(prunelab-cli export MODEL --sparse F writes one)")
    state_dict, masks = {}, {}
    for name, entry in root["sparse_state"].items():
        tensor, kept = decode(entry)
        state_dict[name] = tensor
        if entry.get("masked", False):
            masks[name] = kept
    return state_dict, masks, json.loads(root["model"])


if __name__ == "__main__":
    root = torch.load(sys.argv[1])
    for name, entry in root["sparse_state"].items():
        stored = sum(t.numel() * t.element_size() for t in entry.values()
                     if isinstance(t, torch.Tensor))
        print(f"{name:40s} {entry['encoding']:8s} {list(entry['shape'])} {stored} bytes")
