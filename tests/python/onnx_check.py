"""Checks PruneLab's ONNX exports with Debian's python3-onnx, for tests/test_onnx_export.cpp.

    onnx_check.py check MODEL.onnx [MASKS.pt]
        onnx.checker (full check: types and shapes inferred), then prints JSON: the inputs'
        and outputs' dims (a name for a symbolic one), the initializer names, opset, and with
        MASKS (PruneLab's exported masks) for each masked weight whether its initializer has
        zeros exactly where the mask prunes.
    onnx_check.py make-unsupported OUT.pt
        a scripted model using torch.cumsum, an operation the exporter has no translation for.
"""
import json
import sys

import numpy
import onnx
from onnx import numpy_helper


def dims(value):
    return [d.dim_param if d.dim_param else d.dim_value
            for d in value.type.tensor_type.shape.dim]


def check(path, masks_path=None):
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    initializers = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    result = {
        "opset": model.opset_import[0].version,
        "inputs": {i.name: dims(i) for i in model.graph.input},
        "outputs": {o.name: dims(o) for o in model.graph.output},
        "initializers": sorted(initializers),
        "operators": sorted({n.op_type for n in model.graph.node}),
    }
    if masks_path:
        import torch
        masks = torch.load(masks_path)
        result["masks_match"] = {
            name: bool(numpy.array_equal(initializers[name] != 0, mask.numpy()))
            for name, mask in masks.items() if name in initializers}
    print(json.dumps(result))


def make_unsupported(out):
    import torch

    class Cumulative(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 4)

        def forward(self, x):
            return torch.cumsum(self.fc(x), dim=1)

    torch.jit.script(Cumulative()).save(out)


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        make_unsupported(sys.argv[2])
