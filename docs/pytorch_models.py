"""PyTorch classes equivalent to PruneLab's built-in models.

The parameter and buffer names and the forward computation match PruneLab's C++ models, so a
state_dict exported by PruneLab (`prunelab-cli export MODEL --state-dict F`, or File > Export in
the workbench) loads with `model.load_state_dict(torch.load(F))` and gives the same outputs.
`resnet18` is torchvision's `torchvision.models.resnet18`.

    import torch, pytorch_models
    model = pytorch_models.build("convnet", in_channels=1, num_classes=10, input_size=(28, 28))
    model.load_state_dict(torch.load("pruned_state_dict.pt"))

Tested by tests/python/export_check.py (ctest test_exports).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    """The seed ConvNet; ConvNet(conv1=5, conv2=10, hidden=20) is `convnet-small`."""

    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28), conv1=10, conv2=20, hidden=50):
        super().__init__()
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

    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28)):
        super().__init__()
        self.fc1 = nn.Linear(in_channels * input_size[0] * input_size[1], 300)
        self.fc2 = nn.Linear(300, 100)
        self.fc3 = nn.Linear(100, num_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


class LeNet5(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, input_size=(28, 28)):
        super().__init__()
        h = (input_size[0] // 2 - 4) // 2
        w = (input_size[1] // 2 - 4) // 2
        self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * h * w, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2).flatten(1)
        x = F.relu(self.fc1(x))
        return self.fc3(F.relu(self.fc2(x)))


class VggSmall(nn.Module):
    """VGG-style: (conv3x3-BN-ReLU) stages 64, M, 128, M, 256, 256, M, 512, M; global mean; linear."""

    PLAN = [64, "M", 128, "M", 256, 256, "M", 512, "M"]

    def __init__(self, in_channels=3, num_classes=10, input_size=(32, 32)):
        super().__init__()
        layers, channels = [], in_channels
        for entry in self.PLAN:
            if entry == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, entry, 3, padding=1), nn.BatchNorm2d(entry), nn.ReLU()]
                channels = entry
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class ResNet20(nn.Module):
    """ResNet-20 for 32x32 input (He et al. 2016): 16-32-64 channels, 3 blocks per stage."""

    def __init__(self, in_channels=3, num_classes=10, input_size=(32, 32)):
        super().__init__()
        self.conv1 = conv3x3(in_channels, 16)
        self.bn1 = nn.BatchNorm2d(16)
        channels = 16
        for stage in range(3):
            width = 16 << stage
            blocks = []
            for b in range(3):
                blocks.append(BasicBlock(channels, width, 2 if b == 0 and stage > 0 else 1))
                channels = width
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean((2, 3)))


def build(name, in_channels, num_classes, input_size):
    """The PyTorch model for a PruneLab built-in name."""
    if name == "convnet":
        return ConvNet(in_channels, num_classes, input_size)
    if name == "convnet-small":
        return ConvNet(in_channels, num_classes, input_size, conv1=5, conv2=10, hidden=20)
    if name == "convnet-tiny":
        return ConvNet(in_channels, num_classes, input_size, conv1=3, conv2=6, hidden=16)
    if name == "lenet300":
        return LeNet300(in_channels, num_classes, input_size)
    if name == "lenet5":
        return LeNet5(in_channels, num_classes, input_size)
    if name == "vgg-small":
        return VggSmall(in_channels, num_classes, input_size)
    if name == "resnet20":
        return ResNet20(in_channels, num_classes, input_size)
    if name == "resnet18":
        import torchvision
        return torchvision.models.resnet18(num_classes=num_classes)
    raise ValueError(f"unknown PruneLab model {name!r}")
