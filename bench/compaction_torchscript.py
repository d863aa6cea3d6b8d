"""TorchScript half of bench/compaction.sh: a scripted torchvision resnet18 for PruneLab to prune
and compact, and the timing of PruneLab's outputs as a Python user would load them.

    compaction_torchscript.py make OUT.pt
    compaction_torchscript.py time ORIGINAL.pt PRUNED.pt COMPACTED.pt SIZE BATCH RUNS

`make` scripts torchvision's resnet18 (10 classes) in eval mode. `time` torch.jit.loads the three
files, checks that pruned and compacted agree (max abs diff), and times them in turns (eval, no
autograd, 3 warm-up runs, median), printing one JSON line.
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from compaction_torch import median_ms_in_turns  # noqa: E402


def make(out):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    torch.jit.script(model.eval()).save(out)


def timing(paths, size, batch, runs):
    models = [torch.jit.load(p).eval() for p in paths]
    x = torch.randn(batch, 3, size, size)
    with torch.inference_mode():
        diff = (models[1](x) - models[2](x)).abs().max().item()
    ms = median_ms_in_turns(models, x, runs, warmup=3)
    params = [sum(p.numel() for p in m.parameters()) for m in models]
    print(json.dumps({"threads": torch.get_num_threads(), "batch": batch, "size": size,
                      "original_ms": ms[0], "pruned_ms": ms[1], "compacted_ms": ms[2],
                      "speedup": ms[0] / ms[2], "params": params, "max_abs_diff": diff}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        torch.set_num_threads(int(os.environ.get("THREADS", torch.get_num_threads())))
        timing(sys.argv[2:5], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
