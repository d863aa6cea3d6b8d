"""Builds TorchScript models whose inputs or outputs are not an image in, [batch, classes] out,
for PruneLab's tests.

    make_any_models.py OUT_DIR

Writes (each with BatchNorm statistics that are not the initial 0/1 where it has BatchNorm):
  two_outputs.pt  a classifier that also returns its last feature map: (logits, features)
  segmenter.pt    a dict {"out": [N,3,H,W], "aux": [N,3,H,W]}, like torchvision's FCN
  depth.pt        one output channel [N,1,H,W] (a depth or mask map), 1-channel input
  googlenet.pt    torchvision's GoogLeNet, whose scripted forward returns a named tuple
                  (logits, None, None)
  two_inputs.pt   forward(image [N,3,16,16], extra [N,8]) -> [N,10]: an image branch and a
                  feature branch concatenated before the classifier
  two_inputs_example.pt  an example input saved with torch.save: a tuple of two batches
the dependency stress set (3x32x32 input, shape stored in the file): cascaded_cat.pt
(concatenations of concatenations), spatial_cat.pt (cat along height), split.pt (torch.split of
channels), reshape.pt (reshape into a Linear), se.pt (a squeeze-excitation gate), unet.pt (a
ConvTranspose2d decoder with a skip concatenation, a 2-channel output map),
inverted_residual.pt (MobileNetV2's expand/depthwise/project block), stochastic_depth.pt
(torchvision's StochasticDepth on a residual branch), layer_scale.pt (a per-channel parameter
times a branch), grouped.pt (a grouped, not depthwise, convolution), dense_block.pt (a list
grown by append and concatenated, DenseNet's pattern), layer_getter.pt (torchvision's
IntermediateLayerGetter: a dict filled under conditions, read by key);
and data sets for `tensors:FILE`, saved with torch.save:
  inputs.pt       {"x": 96 samples of 3x32x32}: inputs alone, no labels (a dict of one entry)
  labelled.pt     {"x": ..., "y": 96 labels in 0..9, "x_test": 32 samples, "y_test": ...}
  float_labels.pt {"x": ..., "y": floats}: labels that are not classes
  extra_key.pt    {"x": ..., "z": ...}: a key PruneLab does not know
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, stride=2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        features = torch.relu(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return self.fc(features.mean((2, 3))), features


class Segmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 16, 3, padding=1)
        self.enc2 = nn.Conv2d(16, 32, 3, padding=1, stride=2)
        self.head = nn.Conv2d(32, 3, 1)
        self.aux = nn.Conv2d(16, 3, 1)

    def forward(self, x):
        a = torch.relu(self.enc1(x))
        b = torch.relu(self.enc2(a))
        out = F.interpolate(self.head(b), size=(x.shape[-2], x.shape[-1]), mode="bilinear",
                            align_corners=False)
        return {"out": out, "aux": self.aux(a)}


class Depth(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.out = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        return self.out(torch.relu(self.conv2(torch.relu(self.conv1(x)))))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.meta = nn.Linear(8, 16)
        self.fc = nn.Linear(32, 10)

    def forward(self, image, extra):
        seen = torch.relu(self.conv(image)).mean((2, 3))
        return self.fc(torch.cat([seen, torch.relu(self.meta(extra))], 1))


# The dependency stress set.

class CascadedCat(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(3, 8, 3, padding=1)
        self.c = nn.Conv2d(16, 8, 3, padding=1)
        self.d = nn.Conv2d(24, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        a, b = torch.relu(self.a(x)), torch.relu(self.b(x))
        ab = torch.cat([a, b], 1)
        c = torch.relu(self.c(ab))
        abc = torch.cat([ab, c], 1)
        return self.fc(torch.relu(self.d(abc)).mean((2, 3)))

class SpatialCat(nn.Module):  # cat along height: channels stay aligned
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(3, 16, 3, padding=1)
        self.c = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y = torch.cat([torch.relu(self.a(x)), torch.relu(self.b(x))], 2)
        return self.fc(torch.relu(self.c(y)).mean((2, 3)))

class Split(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.l = nn.Conv2d(8, 8, 3, padding=1)
        self.r = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        p, q = torch.split(torch.relu(self.a(x)), 8, 1)
        return self.fc(torch.cat([self.l(p), self.r(q)], 1).mean((2, 3)))

class Reshape(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1, stride=2)
        self.fc1 = nn.Linear(16 * 16 * 16, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        y = torch.relu(self.a(x))
        return self.fc2(torch.relu(self.fc1(y.reshape(y.shape[0], -1))))

class SE(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.squeeze = nn.Conv2d(16, 4, 1)
        self.excite = nn.Conv2d(4, 16, 1)
        self.b = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y = torch.relu(self.a(x))
        g = torch.sigmoid(self.excite(torch.relu(self.squeeze(y.mean((2, 3), keepdim=True)))))
        return self.fc(torch.relu(self.b(y * g)).mean((2, 3)))

class InvertedResidual(nn.Module):
    """MobileNetV2's block: expand (1x1), depthwise 3x3, project (1x1), residual. Pruning the
    expansion narrows the depthwise convolution (its group count too)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.expand = nn.Conv2d(8, 32, 1)
        self.bn1 = nn.BatchNorm2d(32)
        self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)
        self.bn2 = nn.BatchNorm2d(32)
        self.project = nn.Conv2d(32, 8, 1)
        self.dw2 = nn.Conv2d(32, 32, 3, padding=1, groups=32)  # same settings, another width
        self.expand2 = nn.Conv2d(8, 32, 1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = F.relu6(self.bn2(self.dw(F.relu6(self.bn1(self.expand(x))))))
        x = x + self.project(y)
        z = torch.relu(self.dw2(self.expand2(x)))
        return self.fc(z.mean((2, 3)))


class StochasticDepth(nn.Module):
    """A residual branch dropped at random in training (torchvision.ops.stochastic_depth: an
    if/else on self.training and a noise product) — its channels are still followed."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(16, 16, 3, padding=1)
        self.drop = torchvision.ops.StochasticDepth(0.2, "row")
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.a(x))
        x = x + self.drop(torch.relu(self.b(x)))
        return self.fc(x.mean((2, 3)))


class LayerScale(nn.Module):
    """ConvNeXt's per-channel layer scale (a parameter times the branch): PruneLab would have
    to cut the parameter too, so the branch's channels stay, with a warning."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(16, 16, 3, padding=1)
        self.gamma = nn.Parameter(torch.rand(16, 1, 1))
        self.c = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.a(x))
        x = x + self.gamma * self.b(x)
        return self.fc(torch.relu(self.c(x)).mean((2, 3)))


class Grouped(nn.Module):
    """ResNeXt's grouped 3x3 (4 groups of 4 channels): not followed, so its input group stays
    whole with a warning naming it; the layers after it still shrink."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.g = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.b = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.g(torch.relu(self.a(x))))
        return self.fc(torch.relu(self.b(x)).mean((2, 3)))


class DenseBlock(nn.Module):
    """DenseNet's pattern: a list that grows by append, read whole by a concatenation, and a
    BatchNorm over the concatenation (each part's channels at its offset)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layers = nn.ModuleList([nn.Conv2d(8, 4, 3, padding=1), nn.Conv2d(12, 4, 3, padding=1)])
        self.norm = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        features = [torch.relu(self.stem(x))]
        for layer in self.layers:
            features.append(torch.relu(layer(torch.cat(features, 1))))
        return self.fc(torch.relu(self.norm(torch.cat(features, 1))).mean((2, 3)))


class LayerGetter(nn.Module):
    """torchvision's IntermediateLayerGetter (segmentation backbones): a dict filled by
    `out[name] = x` under a condition, read back by key."""

    def __init__(self):
        super().__init__()
        body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        self.body = torchvision.models._utils.IntermediateLayerGetter(body, {"3": "low", "5": "high"})
        self.head = nn.Conv2d(16, 4, 1)
        self.low_head = nn.Conv2d(16, 4, 1)

    def forward(self, x):
        f = self.body(x)
        return {"out": self.head(f["high"]) + self.low_head(f["low"])}


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1 = nn.Conv2d(3, 16, 3, padding=1)
        self.e2 = nn.Conv2d(16, 32, 3, padding=1, stride=2)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.d1 = nn.Conv2d(32, 16, 3, padding=1)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        a = torch.relu(self.e1(x))
        b = torch.relu(self.e2(a))
        return self.out(torch.relu(self.d1(torch.cat([a, self.up(b)], 1))))


def settle(model, shape):
    """Runs a few batches in training mode so BatchNorm statistics are not the initial 0/1."""
    model.train()
    with torch.no_grad():
        model(torch.randn(4, *shape) * 2 + 0.5)
    return model.eval()


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    models = {
        "two_outputs": (TwoOutputs(), (3, 32, 32)),
        "segmenter": (Segmenter(), (3, 32, 32)),
        "depth": (Depth(), (1, 32, 32)),
        "googlenet": (torchvision.models.googlenet(num_classes=10, aux_logits=False,
                                                   init_weights=False), (3, 64, 64)),
    }
    for name, (model, shape) in models.items():
        torch.jit.script(settle(model, shape)).save(os.path.join(out, f"{name}.pt"))
    torch.jit.script(TwoInputs().eval()).save(os.path.join(out, "two_inputs.pt"))
    torch.save((torch.randn(2, 3, 16, 16), torch.randn(2, 8)),
               os.path.join(out, "two_inputs_example.pt"))
    stress = {"cascaded_cat": CascadedCat(), "spatial_cat": SpatialCat(), "split": Split(),
              "reshape": Reshape(), "se": SE(), "unet": UNet(),
              "inverted_residual": InvertedResidual(), "stochastic_depth": StochasticDepth(),
              "layer_scale": LayerScale(), "grouped": Grouped(), "dense_block": DenseBlock(),
              "layer_getter": LayerGetter()}
    for name, model in stress.items():
        torch.jit.save(torch.jit.script(settle(model, (3, 32, 32))), os.path.join(out, f"{name}.pt"),
                       _extra_files={"prunelab/input_shape.json": '{"input_shape": [3, 32, 32]}'})
    # The built-in ViT's PyTorch twin, scripted as a user would: heads written out by hand.
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "docs"))
    import pytorch_models
    torch.jit.save(torch.jit.script(pytorch_models.build("vit-tiny", 3, 10, (32, 32)).eval()),
                   os.path.join(out, "vit.pt"),
                   _extra_files={"prunelab/input_shape.json": '{"input_shape": [3, 32, 32]}'})
    x = torch.randn(96, 3, 32, 32)
    torch.save({"x": x}, os.path.join(out, "inputs.pt"))
    torch.save({"x": x, "y": torch.randint(0, 10, (96,)), "x_test": torch.randn(32, 3, 32, 32),
                "y_test": torch.randint(0, 10, (32,))}, os.path.join(out, "labelled.pt"))
    torch.save({"x": x, "y": torch.randn(96)}, os.path.join(out, "float_labels.pt"))
    torch.save({"x": x, "z": x}, os.path.join(out, "extra_key.pt"))
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
