"""PyTorch classes equivalent to PruneLab's built-in models.

The parameter and buffer names and the forward computation match PruneLab's C++ models, so a
state_dict exported by PruneLab (`prunelab-cli export MODEL --state-dict F`, or File > Export in
the workbench) loads with `model.load_state_dict(torch.load(F))` and gives the same outputs.
`resnet18` is torchvision's `torchvision.models.resnet18`.

    import torch, pytorch_models
    model = pytorch_models.build("convnet", in_channels=1, num_classes=10, input_size=(28, 28))
    model.load_state_dict(torch.load("pruned_state_dict.pt"))

A compacted model (`prunelab-cli compact`) has narrower layers; pass its widths, which the
state_dict itself tells:

    sd = torch.load("small_state_dict.pt")
    model = pytorch_models.build("resnet20", 3, 10, (32, 32), widths=pytorch_models.widths_of(sd))
    model.load_state_dict(sd)

Tested by tests/python/export_check.py (ctest test_exports) and tests/python/compaction_check.py.
"""

import math
from typing import Final

import torch
import torch.nn as nn
import torch.nn.functional as F


def widths_of(state_dict):
    """Output channels (features) of every Conv2d/Linear layer in a state_dict: {layer: width}."""
    return {k[: -len(".weight")]: v.shape[0] for k, v in state_dict.items()
            if k.endswith(".weight") and v.dim() in (2, 4)}


def _width(widths, layer, standard):
    return (widths or {}).get(layer, standard)


class ConvNet(nn.Module):
    """The seed ConvNet; ConvNet(conv1=5, conv2=10, hidden=20) is `convnet-small`."""

    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28), conv1=10, conv2=20, hidden=50,
                 widths=None):
        super().__init__()
        conv1, conv2 = _width(widths, "conv1", conv1), _width(widths, "conv2", conv2)
        hidden = _width(widths, "fc1", hidden)
        h = ((input_size[0] - 4) // 2 - 4) // 2
        w = ((input_size[1] - 4) // 2 - 4) // 2
        self.conv1 = nn.Conv2d(in_channels, conv1, 5)
        self.conv2 = nn.Conv2d(conv1, conv2, 5)
        self.fc1 = nn.Linear(conv2 * h * w, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2, 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2, 2)).flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


class LeNet300(nn.Module):
    """LeNet-300-100 (Han et al. 2015)."""

    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28), widths=None):
        super().__init__()
        fc1, fc2 = _width(widths, "fc1", 300), _width(widths, "fc2", 100)
        self.fc1 = nn.Linear(in_channels * input_size[0] * input_size[1], fc1)
        self.fc2 = nn.Linear(fc1, fc2)
        self.fc3 = nn.Linear(fc2, num_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


class LeNet5(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28), widths=None):
        super().__init__()
        h = (input_size[0] // 2 - 4) // 2
        w = (input_size[1] // 2 - 4) // 2
        c1, c2 = _width(widths, "conv1", 6), _width(widths, "conv2", 16)
        f1, f2 = _width(widths, "fc1", 120), _width(widths, "fc2", 84)
        self.conv1 = nn.Conv2d(in_channels, c1, 5, padding=2)
        self.conv2 = nn.Conv2d(c1, c2, 5)
        self.fc1 = nn.Linear(c2 * h * w, f1)
        self.fc2 = nn.Linear(f1, f2)
        self.fc3 = nn.Linear(f2, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2).flatten(1)
        x = F.relu(self.fc1(x))
        return self.fc3(F.relu(self.fc2(x)))


class VggSmall(nn.Module):
    """VGG-style: (conv3x3-BN-ReLU) stages 64, M, 128, M, 256, 256, M, 512, M; global mean; linear."""

    PLAN = [64, "M", 128, "M", 256, 256, "M", 512, "M"]

    def __init__(self, in_channels=3, num_classes=10, input_size=(32, 32), widths=None):
        super().__init__()
        layers, channels = [], in_channels
        for entry in self.PLAN:
            if entry == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                entry = _width(widths, f"features.{len(layers)}", entry)
                layers += [nn.Conv2d(channels, entry, 3, padding=1), nn.BatchNorm2d(entry), nn.ReLU()]
                channels = entry
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1, inner=None):
        super().__init__()
        inner = inner or cout
        self.conv1 = conv3x3(cin, inner, stride)
        self.bn1 = nn.BatchNorm2d(inner)
        self.conv2 = conv3x3(inner, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class ResNet(nn.Module):
    """ResNet with basic blocks and torchvision's names. `cifar=True`: ResNet-20 for 32x32 input
    (He et al. 2016; 16-32-64 channels, 3 blocks per stage). `cifar=False`: the ImageNet layout
    of torchvision's resnet18 (7x7/2 stem, max-pool, 64-128-256-512, 2 blocks per stage)."""

    def __init__(self, in_channels=3, num_classes=10, cifar=True, blocks=(3, 3, 3), widths=None):
        super().__init__()
        standard = 16 if cifar else 64
        stem = _width(widths, "conv1", standard)
        self.cifar = cifar
        if cifar:
            self.conv1 = conv3x3(in_channels, stem)
        else:
            self.conv1 = nn.Conv2d(in_channels, stem, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        channels = stem
        for stage, count in enumerate(blocks):
            name = f"layer{stage + 1}"
            # A stage's blocks add onto one stream: the stem's, or the first block's shortcut's.
            width = stem if stage == 0 else _width(widths, f"{name}.0.downsample.0", standard << stage)
            layers = []
            for b in range(count):
                inner = _width(widths, f"{name}.{b}.conv1", standard << stage)
                layers.append(BasicBlock(channels, width, 2 if b == 0 and stage > 0 else 1, inner))
                channels = width
            setattr(self, name, nn.Sequential(*layers))
        if len(blocks) == 3:
            self.layer4 = nn.Identity()  # no weights: the state_dict is unchanged, forward scripts
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if not self.cifar:
            x = F.max_pool2d(x, 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(x.mean((2, 3)))


def ResNet20(in_channels=3, num_classes=10, input_size=(32, 32), widths=None):
    return ResNet(in_channels, num_classes, True, (3, 3, 3), widths)


class Attention(nn.Module):
    """Multi-head self-attention with separate q, k, v projections; head h is rows
    [h*head_dim, (h+1)*head_dim) of each, so the head count follows from q's width (a compacted
    model with heads removed loads with its widths). `head_dim` is Final so that a scripted
    model holds it as a constant, which PruneLab needs to find the heads in its graph."""

    head_dim: Final[int]

    def __init__(self, dim, width, head_dim):
        super().__init__()
        self.head_dim = head_dim
        self.q = nn.Linear(dim, width)
        self.k = nn.Linear(dim, width)
        self.v = nn.Linear(dim, width)
        self.proj = nn.Linear(width, dim)

    def forward(self, x):
        n, t = x.shape[0], x.shape[1]
        q = self.q(x).view(n, t, -1, self.head_dim).transpose(1, 2)
        k = self.k(x).view(n, t, -1, self.head_dim).transpose(1, 2)
        v = self.v(x).view(n, t, -1, self.head_dim).transpose(1, 2)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), -1)
        return self.proj((weights @ v).transpose(1, 2).reshape(n, t, -1))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class TransformerBlock(nn.Module):
    """Pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x))."""

    def __init__(self, dim, width, head_dim, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, width, head_dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VitTiny(nn.Module):
    """`vit-tiny`: 4x4 patches embedded into 64 channels plus learned position embeddings,
    4 pre-norm blocks of 4 heads (16 wide) and 128 MLP neurons, LayerNorm, mean over tokens,
    Linear head."""

    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28), widths=None, patch=4,
                 dim=64, depth=4, heads=4, head_dim=16, hidden=128):
        super().__init__()
        tokens = (input_size[0] // patch) * (input_size[1] // patch)
        self.patch_embed = nn.Conv2d(in_channels, dim, patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.Sequential(*[
            TransformerBlock(dim, _width(widths, f"blocks.{i}.attn.q", heads * head_dim), head_dim,
                             _width(widths, f"blocks.{i}.mlp.fc1", hidden))
            for i in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed
        return self.head(self.norm(self.blocks(x)).mean(1))


class Recurrent(nn.Module):
    """An LSTM or GRU layer as two Linear layers: `ih` (inputs -> gates) and `hh` (hidden state
    -> gates), gates stacked in nn.LSTM's/nn.GRU's order, so ih.weight/ih.bias/hh.weight/hh.bias
    are nn.LSTM's weight_ih_l0/bias_ih_l0/weight_hh_l0/bias_hh_l0 (see `from_torch`). The unit
    count follows from hh's input width. Returns the last hidden state."""

    def __init__(self, cell, inputs, units):
        super().__init__()
        self.lstm = cell == "lstm"
        gates = 4 if self.lstm else 3
        self.ih = nn.Linear(inputs, gates * units)
        self.hh = nn.Linear(units, gates * units)

    def forward(self, x):
        projected = self.ih(x)
        h = x.new_zeros(x.shape[0], self.hh.weight.shape[1])
        c = torch.zeros_like(h)
        for t in range(x.shape[1]):
            a, b = projected[:, t], self.hh(h)
            if self.lstm:
                i, f, g, o = (a + b).chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            else:
                ar, az, an = a.chunk(3, 1)
                br, bz, bn = b.chunk(3, 1)
                r, z = torch.sigmoid(ar + br), torch.sigmoid(az + bz)
                h = (1 - z) * torch.tanh(an + r * bn) + z * h
        return h

    @staticmethod
    def from_torch(module):
        """The same layer from a one-layer, unidirectional nn.LSTM or nn.GRU (batch_first)."""
        layer = Recurrent("lstm" if isinstance(module, nn.LSTM) else "gru", module.input_size,
                          module.hidden_size)
        with torch.no_grad():
            layer.ih.weight.copy_(module.weight_ih_l0)
            layer.ih.bias.copy_(module.bias_ih_l0)
            layer.hh.weight.copy_(module.weight_hh_l0)
            layer.hh.bias.copy_(module.bias_hh_l0)
        return layer


class RecurrentNet(nn.Module):
    """`lstm` / `gru`: an image's rows as a sequence (28 steps of 28 features), 128 units, the
    last hidden state -> Linear `fc`."""

    def __init__(self, cell, in_channels=1, num_classes=10, input_size=(28, 28), widths=None):
        super().__init__()
        gates = 4 if cell == "lstm" else 3
        units = _width(widths, "rnn.hh", gates * 128) // gates
        self.rnn = Recurrent(cell, in_channels * input_size[1], units)
        self.fc = nn.Linear(units, num_classes)

    def forward(self, x):
        x = x.permute(0, 2, 1, 3).flatten(2)  # [N, H, C*W]: row r is step r
        return self.fc(self.rnn(x))


def build(name, in_channels, num_classes, input_size, widths=None):
    """The PyTorch model for a PruneLab built-in name; `widths` for a compacted one."""
    if name == "convnet":
        return ConvNet(in_channels, num_classes, input_size, widths=widths)
    if name == "convnet-small":
        return ConvNet(in_channels, num_classes, input_size, conv1=5, conv2=10, hidden=20, widths=widths)
    if name == "convnet-tiny":
        return ConvNet(in_channels, num_classes, input_size, conv1=3, conv2=6, hidden=16, widths=widths)
    if name == "lenet300":
        return LeNet300(in_channels, num_classes, input_size, widths)
    if name == "lenet5":
        return LeNet5(in_channels, num_classes, input_size, widths)
    if name == "vgg-small":
        return VggSmall(in_channels, num_classes, input_size, widths)
    if name == "resnet20":
        return ResNet20(in_channels, num_classes, input_size, widths)
    if name == "vit-tiny":
        return VitTiny(in_channels, num_classes, input_size, widths)
    if name in ("lstm", "gru"):
        return RecurrentNet(name, in_channels, num_classes, input_size, widths)
    if name == "resnet18":
        if widths:
            return ResNet(in_channels, num_classes, False, (2, 2, 2, 2), widths)
        import torchvision
        return torchvision.models.resnet18(num_classes=num_classes)
    raise ValueError(f"unknown PruneLab model {name!r}")
