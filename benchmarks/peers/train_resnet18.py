#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- train-resnet18`: fastai's cnn_learner(dls, resnet18, pretrained=False,
metrics=accuracy).fit_one_cycle(1, 0.1) on mnist-sample, written out in plain PyTorch 1.13 + torchvision 0.14.

Usage: train_resnet18.py MNIST_SAMPLE_DIR [EPOCHS [LR_MAX]] [--device cuda[:N]]      (defaults: 1 epoch, lr_max 0.1, the CPU)

- Data: train/3, train/7, valid/3, valid/7 PNGs loaded once (untimed) as float 0..1 tensors of 3x28x28 (the gray
  channel replicated, no normalisation), labels in sorted vocab order (3 -> 0, 7 -> 1); bs 64, the training set
  shuffled with drop_last, as SharpGrad's ImageDataLoaders.FromFolder does.
- Model: torchvision's resnet18(weights=None) without its pooling and fc (fastai's body), then fastai's head:
  AdaptiveConcatPool2d -> Flatten -> BatchNorm1d(1024) -> Dropout(0.25) -> Linear(1024, 512, bias=False) -> ReLU ->
  BatchNorm1d(512) -> Dropout(0.5) -> Linear(512, 2, bias=False), the head's linears kaiming_normal_.
- Optimiser: fastai's Adam is AdamW (betas (0.9, 0.99), eps 1e-5, decoupled weight decay 0.01), with no weight decay
  on batch-norm parameters and biases (fastai's bn_wd=False).
- Schedule: fastai's fit_one_cycle, set before every training batch: lr cosine lr_max/25 -> lr_max over the first
  25% of the batches, then cosine down to lr_max/1e5; beta1 0.95 -> 0.85 -> 0.95.
- Loss: cross entropy (mean). Each epoch: the training pass, then validation under no_grad in eval mode (loss and
  accuracy, each batch weighted by its size, as fastai's AvgLoss and AvgMetric do).
Prints one JSON object: {"seconds": last epoch's training + validation pass, "train_s", "valid_s", "accuracy",
"valid_loss", "train_loss" (fastai's smoothed loss), "peak_rss_mb": the process's peak resident set (ru_maxrss)}.
"""
import json
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn

import peer_device

device = peer_device.from_argv()  # --device cuda[:N], else the CPU on two threads
torch.manual_seed(42)
path = Path(sys.argv[1])
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
lr_max = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
bs = 64


def load(split):
    xs, ys = [], []
    for label, name in enumerate(("3", "7")):
        files = sorted((path / split / name).glob("*.png"))
        xs += [np.array(Image.open(o).convert("L")) for o in files]
        ys += [label] * len(files)
    x = torch.as_tensor(np.stack(xs)).float().div_(255).unsqueeze(1).expand(-1, 3, -1, -1).contiguous()  # [N, 3, 28, 28]
    return x, torch.tensor(ys, dtype=torch.long)


train_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*load("train")), batch_size=bs, shuffle=True, drop_last=True)
valid_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*load("valid")), batch_size=bs)


class AdaptiveConcatPool2d(nn.Module):
    """fastai's: adaptive max pool and adaptive average pool to 1x1, concatenated along the channels (max first)."""

    def __init__(self):
        super().__init__()
        self.mp, self.ap = nn.AdaptiveMaxPool2d(1), nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


body = nn.Sequential(*list(torchvision.models.resnet18(weights=None).children())[:-2])
head = nn.Sequential(
    AdaptiveConcatPool2d(), nn.Flatten(),
    nn.BatchNorm1d(1024), nn.Dropout(0.25), nn.Linear(1024, 512, bias=False), nn.ReLU(inplace=True),
    nn.BatchNorm1d(512), nn.Dropout(0.5), nn.Linear(512, 2, bias=False))
for m in head:
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight)
model = nn.Sequential(body, head).to(device)

norm_bias = set()
for m in model.modules():
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        norm_bias.update(id(p) for p in m.parameters(recurse=False))
    elif getattr(m, "bias", None) is not None:
        norm_bias.add(id(m.bias))
params = list(model.parameters())
opt = torch.optim.AdamW(
    [{"params": [p for p in params if id(p) not in norm_bias], "weight_decay": 0.01},
     {"params": [p for p in params if id(p) in norm_bias], "weight_decay": 0.0}],
    lr=lr_max / 25, betas=(0.95, 0.99), eps=1e-5)
loss_func = nn.CrossEntropyLoss()


def sched_cos(s, e, p):
    return s + (1 + math.cos(math.pi * (1 - p))) * (e - s) / 2


def combined_cos(pct, start, middle, end, pos):
    """fastai's combined_cos as combine_scheds evaluates it at training progress pos in [0, 1]."""
    if pos < pct:
        return sched_cos(start, middle, pos / pct)
    return sched_cos(middle, end, min(1.0, (pos - pct) / (1 - pct)))


total = epochs * len(train_dl)
step = 0
smooth, beta, smooth_n = 0.0, 0.98, 0  # fastai's AvgSmoothLoss, as the Recorder keeps it (loss.item() every batch)
train_loss = valid_loss = accuracy = float("nan")
train_s = valid_s = float("nan")
for epoch in range(epochs):
    t0 = time.perf_counter()
    model.train()
    for xb, yb in train_dl:
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
        pos = step / total
        lr = combined_cos(0.25, lr_max / 25, lr_max, lr_max / 1e5, pos)
        mom = combined_cos(0.25, 0.95, 0.85, 0.95, pos)
        for g in opt.param_groups:
            g["lr"], g["betas"] = lr, (mom, 0.99)
        loss = loss_func(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        step += 1
        smooth_n += 1
        smooth = beta * smooth + (1 - beta) * loss.item()
        train_loss = smooth / (1 - beta ** smooth_n)
    peer_device.sync(device)
    t1 = time.perf_counter()
    model.eval()
    total_loss = correct = n = 0.0
    with torch.no_grad():
        for xb, yb in valid_dl:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            pred = model(xb)
            total_loss += loss_func(pred, yb).item() * len(xb)
            correct += (pred.argmax(1) == yb).sum().item()
            n += len(xb)
    peer_device.sync(device)
    t2 = time.perf_counter()
    valid_loss, accuracy = total_loss / n, correct / n
    train_s, valid_s = t1 - t0, t2 - t1
    print(f"epoch {epoch}: train_loss {train_loss:.4f} valid_loss {valid_loss:.4f} accuracy {accuracy:.4f} "
          f"({train_s:.1f} s + {valid_s:.1f} s)", file=sys.stderr)

print(json.dumps({"seconds": train_s + valid_s, "train_s": train_s, "valid_s": valid_s, "accuracy": accuracy,
                  "valid_loss": valid_loss, "train_loss": train_loss,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "epochs": epochs, "threads": torch.get_num_threads(), "torch": torch.__version__,
                  "torchvision": torchvision.__version__}))
