"""Scripts the PyTorch twin of a PruneLab built-in model with PruneLab's weights.

    script_builtin.py NAME STATE_DICT OUT C H W

Builds docs/pytorch_models.py's class for NAME, loads the state_dict PruneLab exported, and
saves torch.jit.script of it to OUT: the same network as a TorchScript model.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "docs"))
import pytorch_models  # noqa: E402


def main():
    name, sd_path, out = sys.argv[1:4]
    c, h, w = (int(v) for v in sys.argv[4:7])
    state = torch.load(sd_path)
    model = pytorch_models.build(name, c, 10, (h, w), widths=pytorch_models.widths_of(state))
    model.load_state_dict(state)
    torch.jit.script(model.eval()).save(out)
    print("ok")


if __name__ == "__main__":
    main()
