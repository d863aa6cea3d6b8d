"""Python half of bench/torchvision_zoo.sh: torchvision's classification models for PruneLab to
prune and compact, and the check of what it wrote, as a Python user would load it.

    torchvision_zoo.py list
    torchvision_zoo.py make NAME OUT.pt
    torchvision_zoo.py check PRUNED.pt COMPACTED.pt SHAPE

`list` prints the 80 names torchvision.models.list_models(module=torchvision.models) gives,
then the three segmentation models (segmentation.NAME: dict outputs).
`make` builds NAME with 10 classes and random weights (seed 0) in eval mode, scripts it (traces
it when scripting fails), stores its input shape inside the file (prunelab/input_shape.json, so
PruneLab needs no flag) and prints one JSON line: name, how, shape, params, seconds. 64x64
inputs, except the models whose architecture fixes the size (ViT, Swin, MaxViT: 224; Inception
V3: 75 is its minimum, 96 used). `check` loads both files with torch.jit.load and prints one JSON
line: the largest output difference relative to the largest output, and both parameter counts.
"""
import json
import os
import sys
import time

import torch
import torchvision

# The outputs' tensors in order, as PruneLab flattens them: one definition, the test helper's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from compaction_check import tensors  # noqa: E402

FIXED_SIZE = {"vit": 224, "swin": 224, "maxvit": 224, "inception_v3": 96}


def input_size(name):
    for prefix, size in FIXED_SIZE.items():
        if name.startswith(prefix):
            return size
    return 64


def make(name, out):
    start = time.time()
    torch.manual_seed(0)
    kwargs = {"num_classes": 10}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    if name.startswith("segmentation."):
        kwargs = {"num_classes": 10, "weights_backbone": None}
        if "fcn" in name or "deeplab" in name:
            kwargs["aux_loss"] = False
        model = torchvision.models.get_model(name.split(".", 1)[1], **kwargs).eval()
    else:
        model = torchvision.models.get_model(name, **kwargs).eval()
    size = input_size(name)
    shape = [3, size, size]
    example = torch.randn(2, *shape)
    how = "scripted"
    try:
        module = torch.jit.script(model)
    except Exception as error:  # noqa: BLE001 - any scripting failure falls back to tracing
        how = "traced (" + str(error).strip().splitlines()[0][:80] + ")"
        with torch.no_grad():
            module = torch.jit.trace(model, example, check_trace=False)
    module.save(out, _extra_files={"prunelab/input_shape.json": json.dumps({"input_shape": shape})})
    print(json.dumps({"name": name, "how": how, "shape": shape,
                      "params": sum(p.numel() for p in model.parameters()),
                      "seconds": round(time.time() - start, 1)}))


def check(pruned_path, compacted_path, shape):
    pruned = torch.jit.load(pruned_path).eval()
    small = torch.jit.load(compacted_path).eval()
    torch.manual_seed(1)
    x = torch.randn(2, *(int(v) for v in shape.split(",")))
    with torch.no_grad():
        want, got = tensors(pruned(x)), tensors(small(x))
    scale = max(t.abs().max().item() for t in want)
    diff = max((a - b).abs().max().item() for a, b in zip(want, got))
    print(json.dumps({"relative_diff": diff / max(scale, 1e-12), "outputs": len(got),
                      "params_pruned": sum(p.numel() for p in pruned.parameters()),
                      "params_compacted": sum(p.numel() for p in small.parameters())}))


if __name__ == "__main__":
    if sys.argv[1] == "list":
        names = torchvision.models.list_models(module=torchvision.models)
        names += ["segmentation." + n for n in ("fcn_resnet50", "deeplabv3_mobilenet_v3_large",
                                                 "lraspp_mobilenet_v3_large")]
        print(" ".join(names))
    elif sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
