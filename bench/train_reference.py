#!/usr/bin/python3
"""Python reference for bench/train_throughput.sh: one epoch of the seed ConvNet on
Fashion-MNIST with Debian's python3-torch, the same model, batch, optimizer, learning-rate
schedule and normalization as `prunelab-cli train convnet`.

--loader dataloader  the idiomatic pipeline: TensorDataset + DataLoader(shuffle=True)
--loader slices      whole-tensor batches by index_select, as PruneLab does
--model NAME         another built-in's PyTorch twin from docs/pytorch_models.py (vit-tiny, ...)

Prints one JSON line: {"images_per_second": ..., "train_seconds": ..., "test_accuracy": ...}.
"""
import argparse
import gzip
import json
import math
import os
import time

import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    """The seed ConvNet; PruneLab's `convnet` has the same layers and state_dict keys."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, num_classes)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(directory, prefix):
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - 0.2860) / 0.3530
    return x, torch.from_numpy(labels.astype(np.int64))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--loader", choices=["dataloader", "slices"], default="dataloader")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=0, help="0 keeps torch's default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default="convnet")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")
    if args.model == "convnet":
        model = ConvNet()
    else:
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs"))
        import pytorch_models
        model = pytorch_models.build(args.model, 1, 10, (28, 28))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    n = train_x.shape[0]
    batches = math.ceil(n / args.batch)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(train_x, train_y), batch_size=args.batch, shuffle=True)

    seen = 0
    train_seconds = 0.0
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        if args.loader == "dataloader":
            batch_iter = iter(loader)
        else:
            order = torch.randperm(n)
            batch_iter = ((train_x.index_select(0, idx), train_y.index_select(0, idx))
                          for idx in order.split(args.batch))
        for b, (x, y) in enumerate(batch_iter):
            # Cosine decay per batch, as PruneLab's default schedule.
            t = (epoch + b / batches) / args.epochs
            for group in optimizer.param_groups:
                group["lr"] = 0.5 * args.lr * (1 + math.cos(math.pi * t))
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            seen += x.shape[0]
        train_seconds += time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        correct = sum(int((model(x).argmax(1) == y).sum())
                      for x, y in zip(test_x.split(1000), test_y.split(1000)))
        accuracy = correct / test_x.shape[0]
    print(json.dumps({"images_per_second": seen / train_seconds, "train_seconds": train_seconds,
                      "test_accuracy": accuracy, "threads": torch.get_num_threads(),
                      "loader": args.loader, "model": args.model}))


if __name__ == "__main__":
    main()
