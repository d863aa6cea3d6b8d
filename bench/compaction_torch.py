"""PyTorch reference for bench/compaction.sh: the same dense and compacted models in Python.

    compaction_torch.py MODEL DENSE_SD COMPACTED_SD C H W BATCH RUNS

Builds docs/pytorch_models.py's class for MODEL twice (standard widths, and the compacted
widths the state_dict tells), loads both state_dicts, and times them in turns like
`prunelab-cli bench` does (eval, no autograd, 5 warm-up runs, median). Prints one JSON line.
"""
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs"))
import pytorch_models  # noqa: E402


def median_ms_in_turns(models, x, runs, warmup=5):
    """Median forward time (ms) of each model on x: eval, no autograd, warm-up first, then one
    run of each model per round, so a busy machine slows them alike."""
    times = [[] for _ in models]
    with torch.inference_mode():
        for _ in range(warmup):
            for m in models:
                m(x)
        for _ in range(runs):
            for k, m in enumerate(models):
                start = time.perf_counter()
                m(x)
                times[k].append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def main():
    name, dense_sd, small_sd = sys.argv[1:4]
    c, h, w, batch, runs = (int(v) for v in sys.argv[4:9])
    torch.set_num_threads(int(os.environ.get("THREADS", torch.get_num_threads())))
    models = []
    for path in (dense_sd, small_sd):
        state = torch.load(path)
        model = pytorch_models.build(name, c, 10, (h, w), widths=pytorch_models.widths_of(state))
        model.load_state_dict(state)
        models.append(model.eval())
    dense, small = median_ms_in_turns(models, torch.randn(batch, c, h, w), runs)
    print(json.dumps({"model": name, "batch": batch, "threads": torch.get_num_threads(),
                      "dense_ms": dense, "compacted_ms": small, "speedup": dense / small}))


if __name__ == "__main__":
    main()
