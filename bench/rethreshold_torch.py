#!/usr/bin/python3
"""Python side of bench/rethreshold.sh: saves torchvision ResNet-18 weights (seeded) for
PruneLab, then times torch.nn.utils.prune on them: l1_unstructured on layer4.1.conv2
(2.36M weights) and global_unstructured over every Conv2d/Linear weight (11.7M).
Usage: rethreshold_torch.py WEIGHTS.pt RUNS"""
import json
import statistics
import sys
import time

import torch
import torch.nn.utils.prune as prune
import torchvision


def layers(model):
    return [(m, "weight") for m in model.modules()
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    # A plain dict: the C++ unpickler does not rebuild OrderedDict with _metadata.
    torch.save(dict(model.state_dict()), path)
    rates = [0.1 + 0.8 * i / max(1, runs - 1) for i in range(runs)]

    layer = model.layer4[1].conv2
    dense = layer.weight.detach().clone()
    single = []
    for rate in rates:
        start = time.perf_counter()
        prune.l1_unstructured(layer, "weight", amount=rate)
        single.append(time.perf_counter() - start)
        prune.remove(layer, "weight")
        with torch.no_grad():  # restore the dense weights for the next call
            layer.weight.copy_(dense)
    global_times = []
    for rate in rates[: max(3, runs // 4)]:
        fresh = torchvision.models.resnet18()
        fresh.load_state_dict(torch.load(path))
        start = time.perf_counter()
        prune.global_unstructured(layers(fresh), pruning_method=prune.L1Unstructured, amount=rate)
        global_times.append(time.perf_counter() - start)
    print(json.dumps({"single_layer_ms": [t * 1e3 for t in single],
                      "global_ms": [t * 1e3 for t in global_times],
                      "single_median_ms": statistics.median(single) * 1e3,
                      "global_median_ms": statistics.median(global_times) * 1e3,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
