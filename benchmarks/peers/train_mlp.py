#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- train-mlp`: fastbook chapter 4's simple_net trained the way fastai's Learner does it.

Usage: train_mlp.py MNIST_SAMPLE_DIR [EPOCHS [WARMUP]] [--device cuda[:N]]      (defaults: 40 epochs, the first 2 untimed, the CPU)

Loads mnist-sample's PNGs into float tensors once (untimed), then trains nn.Sequential(Flatten, Linear(784, 30), ReLU,
Linear(30, 1)) with plain SGD at lr 0.1 and the seed's mnist_loss on bs-256 batches (train shuffled with drop_last),
validating after every epoch under no_grad: loss and batch_accuracy, each batch weighted by its size, as fastai's
AvgLoss and AvgMetric do. Labels follow SharpGrad's sorted vocab: 3 -> 0, 7 -> 1.
Prints one JSON object: {"ms_per_epoch": median over the timed epochs (training + validation pass),
"train_ms": [each timed epoch's training pass], "valid_ms": [its validation pass], "accuracy": batch_accuracy after the
last epoch, "valid_loss": ..., "epochs": EPOCHS}.
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

import peer_device

device = peer_device.from_argv()  # --device cuda[:N], else the CPU on two threads
path = Path(sys.argv[1])
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 40
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 2


def load(split):
    xs, ys = [], []
    for label, name in enumerate(("3", "7")):
        files = sorted((path / split / name).glob("*.png"))
        xs += [np.array(Image.open(o).convert("L")) for o in files]
        ys += [label] * len(files)
    x = torch.as_tensor(np.stack(xs)).float().div_(255).unsqueeze(1)  # [N, 1, 28, 28] in 0..1
    return x, torch.tensor(ys, dtype=torch.long)


train_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*load("train")), batch_size=256, shuffle=True, drop_last=True)
valid_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*load("valid")), batch_size=256)


def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    targets = targets.view(predictions.shape)
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def batch_accuracy(xb, yb):
    preds = xb.sigmoid()
    correct = (preds > 0.5) == yb.view(preds.shape)
    return correct.float().mean()


model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
smooth, beta = 0.0, 0.98  # fastai's AvgSmoothLoss, as the Recorder keeps it (loss.item() every batch)
train_ms, valid_ms = [], []
accuracy = valid_loss = float("nan")
for epoch in range(epochs):
    t0 = time.perf_counter()
    model.train()
    for xb, yb in train_dl:
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
        loss = mnist_loss(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        smooth = beta * smooth + (1 - beta) * loss.item()
    peer_device.sync(device)
    t1 = time.perf_counter()
    model.eval()
    total_loss = total_acc = n = 0.0
    with torch.no_grad():
        for xb, yb in valid_dl:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            pred = model(xb)
            bs = len(xb)
            total_loss += mnist_loss(pred, yb).item() * bs
            total_acc += batch_accuracy(pred, yb).item() * bs
            n += bs
    peer_device.sync(device)
    t2 = time.perf_counter()
    accuracy, valid_loss = total_acc / n, total_loss / n
    if epoch >= warmup:
        train_ms.append((t1 - t0) * 1e3)
        valid_ms.append((t2 - t1) * 1e3)

epoch_ms = [t + v for t, v in zip(train_ms, valid_ms)]
print(json.dumps({"ms_per_epoch": statistics.median(epoch_ms) if epoch_ms else float("nan"),
                  "train_ms": train_ms, "valid_ms": valid_ms, "accuracy": accuracy, "valid_loss": valid_loss, "epochs": epochs}))
