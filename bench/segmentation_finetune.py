"""Python half of bench/segmentation_finetune.sh: a segmentation model and unlabelled inputs.

    segmentation_finetune.py OUT_MODEL.pt OUT_DATA.pt [N (1280)]

Writes torchvision's lraspp_mobilenet_v3_large (10 classes, random weights, seed 0) scripted,
with its input shape stored, after its BatchNorm statistics have settled on the same inputs
(cumulative averages over the whole set in training mode), so evaluation-mode outputs are those
of a model that has seen this data; and N inputs of 3x64x64 (smooth random colour fields, no
labels) saved as {"x": ...} for `tensors:FILE`.
"""
import json
import sys

import torch
import torch.nn.functional as F
import torchvision


def inputs(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    coarse = torch.randn(n, 3, 8, 8, generator=g)
    return F.interpolate(coarse, size=(64, 64), mode="bilinear", align_corners=False)


def main(model_path, data_path, n):
    torch.manual_seed(0)
    model = torchvision.models.segmentation.lraspp_mobilenet_v3_large(
        num_classes=10, weights_backbone=None)
    x = inputs(n)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over every batch below
    model.train()
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    model.eval()
    torch.jit.save(torch.jit.script(model), model_path,
                   _extra_files={"prunelab/input_shape.json": json.dumps({"input_shape": [3, 64, 64]})})
    torch.save({"x": x}, data_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1280)
