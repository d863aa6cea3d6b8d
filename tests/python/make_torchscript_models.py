"""Builds TorchScript models in Python, as a researcher would, for PruneLab's interop tests.

    make_torchscript_models.py OUT_DIR

Writes: mlp.pt (a scripted MLP with unusual layer names), resnet18.pt and mobilenet_v2.pt
(torchvision, scripted), gated.pt (x * sigmoid(x) after a conv), branches.pt (a
concatenation), chunked.pt (a split PruneLab does not follow), traced_mlp.pt (torch.jit.trace), plain_state_dict.pt (a torch.save
pickle, not TorchScript), no_layers.pt (TorchScript without Conv2d/Linear), wrong_input.pt (a
forward that rejects 1x28x28 and 3x32x32 and 3x224x224 input), features64.pt (an MLP over 64
features, no image at all) with example64.pt (an example batch, torch.save) and
features64_stored.pt (the same, its input shape stored as PruneLab's extra file).
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision


class OddlyNamedMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.Encoder_Block = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64))
        self.head_final = nn.Linear(64, 10)

    def forward(self, x):
        return self.head_final(torch.relu(self.Encoder_Block(x.flatten(1))))


class GatedConvNet(nn.Module):
    """A gate (x * sigmoid(x), SiLU written out) after conv1: the product keeps a pruned channel
    zero, so conv1's channels can go like conv2's."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = x * torch.sigmoid(x)
        x = torch.relu(self.conv2(x))
        return self.fc(x.mean((2, 3)))


class BranchNet(nn.Module):
    """Two branches concatenated along channels, then a conv over both: removing a channel of
    the second branch removes an input column of `mix` at an offset."""

    def __init__(self):
        super().__init__()
        self.left = nn.Conv2d(3, 8, 3, padding=1)
        self.right = nn.Conv2d(3, 16, 3, padding=1)
        self.right_bn = nn.BatchNorm2d(16)
        self.mix = nn.Conv2d(24, 32, 3, padding=1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.cat([torch.relu(self.left(x)), torch.relu(self.right_bn(self.right(x)))], 1)
        x = torch.nn.functional.max_pool2d(torch.relu(self.mix(x)), 2)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))


class ChunkNet(nn.Module):
    """conv1's channels are split in two halves (torch.chunk), which PruneLab does not follow:
    conv1 must keep all of them; conv2's can go."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 12, 3, padding=1)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        a, b = torch.chunk(torch.relu(self.conv1(x)), 2, 1)
        y = torch.relu(self.conv2(a + b))
        return self.fc(y.mean((2, 3)))


class NoLayers(nn.Module):
    def forward(self, x):
        return torch.relu(x).flatten(1)[:, :10]


class Features64(nn.Module):
    """Tabular data: 64 features in, 10 classes out."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(64, 48)
        self.out = nn.Linear(48, 10)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


class WrongInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(100, 10)

    def forward(self, x):
        return self.fc(x.flatten(1))


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.jit.script(OddlyNamedMLP()).save(os.path.join(out, "mlp.pt"))
    torch.jit.trace(OddlyNamedMLP().eval(), torch.randn(2, 1, 28, 28)).save(os.path.join(out, "traced_mlp.pt"))
    for name in ("resnet18", "mobilenet_v2"):
        model = getattr(torchvision.models, name)(num_classes=10)
        model.train()
        with torch.no_grad():  # BatchNorm statistics that are not the initial 0/1
            model(torch.randn(4, 3, 64, 64) * 2 + 0.5)
        torch.jit.script(model.eval()).save(os.path.join(out, f"{name}.pt"))
    torch.save(OddlyNamedMLP().state_dict(), os.path.join(out, "plain_state_dict.pt"))
    torch.jit.script(GatedConvNet().eval()).save(os.path.join(out, "gated.pt"))
    torch.jit.script(ChunkNet().eval()).save(os.path.join(out, "chunked.pt"))
    branches = BranchNet()
    branches.train()
    with torch.no_grad():  # BatchNorm statistics that are not the initial 0/1
        branches(torch.randn(4, 3, 32, 32) * 2 + 0.5)
    torch.jit.script(branches.eval()).save(os.path.join(out, "branches.pt"))
    torch.jit.script(NoLayers()).save(os.path.join(out, "no_layers.pt"))
    torch.jit.script(WrongInput()).save(os.path.join(out, "wrong_input.pt"))
    features = torch.jit.script(Features64().eval())
    features.save(os.path.join(out, "features64.pt"))
    torch.jit.save(features, os.path.join(out, "features64_stored.pt"),
                   _extra_files={"prunelab/input_shape.json": '{"input_shape": [64]}'})
    torch.save(torch.randn(4, 64), os.path.join(out, "example64.pt"))
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
