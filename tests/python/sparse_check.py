"""Compares a sparse PruneLab checkpoint read by docs/prunelab_sparse.py with the dense one.

    sparse_check.py DENSE.pt SPARSE.pt

Prints JSON: same keys, the largest absolute difference per tensor (0 for float storage, at
most half an int8 step for int8), whether the masks are the dense checkpoint's, the model name.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "docs"))
import prunelab_sparse  # noqa: E402

dense = torch.load(sys.argv[1])
state_dict, masks, model = prunelab_sparse.load(sys.argv[2])
differences = {name: float((state_dict[name].double() - tensor.double()).abs().max())
               if tensor.numel() else 0.0
               for name, tensor in dense["state_dict"].items() if name in state_dict}
print(json.dumps({
    "same_keys": sorted(state_dict) == sorted(dense["state_dict"]),
    "max_difference": max(differences.values()),
    "differences": differences,
    "masks_equal": sorted(masks) == sorted(dense["masks"]) and all(
        torch.equal(masks[name], dense["masks"][name].bool()) for name in masks),
    "model": model["name"],
}))
