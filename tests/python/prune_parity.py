#!/usr/bin/python3
"""Writes random seed-ConvNet weights and the masks torch.nn.utils.prune computes on them,
for test_torch_parity: python3 prune_parity.py OUT.pt SEED"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)


def fresh(state):
    m = ConvNet()
    m.load_state_dict(state)
    return m


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    state = ConvNet().state_dict()
    layers = ["conv1", "conv2", "fc1", "fc2"]
    result = {f"state/{k}": v for k, v in state.items()}

    m = fresh(state)
    for name in layers:
        prune.l1_unstructured(getattr(m, name), "weight", amount=0.3)
        result[f"l1_unstructured/{name}"] = getattr(m, name).weight_mask.bool()

    for n in (1, 2):
        m = fresh(state)
        for name in layers:
            prune.ln_structured(getattr(m, name), "weight", amount=0.5, n=n, dim=0)
            mask = getattr(m, name).weight_mask
            result[f"ln{n}_structured/{name}"] = mask.flatten(1)[:, 0].bool()

    m = fresh(state)
    prune.global_unstructured([(getattr(m, n), "weight") for n in layers],
                              pruning_method=prune.L1Unstructured, amount=0.6)
    for name in layers:
        result[f"global_unstructured/{name}"] = getattr(m, name).weight_mask.bool()
    torch.save(result, out)


if __name__ == "__main__":
    main()
