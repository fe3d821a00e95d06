#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- fine-tune`: fastai's vision_learner(resnet18) at 224x224 in plain PyTorch 1.13 +
torchvision 0.14, 2 threads.

Usage: fine_tune.py steps JSON_OUT_UNUSED        -> training-step and inference timings
       fine_tune.py memory                       -> peak memory of 3 full training steps (batch 32) in this fresh process
       fine_tune.py pipeline JPEG_DIR            -> images/s of ImageFolder + RandomResizedCrop + flip through DataLoader(num_workers=2)

steps: torchvision's resnet18 body + fastai's head (2 classes), AdamW as fastai's Adam (eps 1e-5, wd 0.01 decoupled).
  "frozen": the body's conv weights frozen (requires_grad False), batch norms training (fastai's train_bn), batch 32;
  "full": everything training, batch 32; "infer": eval mode, no_grad forward, batch 64. Each: median ms of 5 timed
  steps after 2 warm-up steps, on random 0..1 inputs. Prints {"frozen_ms", "full_ms", "infer_ms", "peak_rss_mb"}.
Peak memory is the process's VmHWM (/proc/self/status), in MB of 10^6 bytes: not getrusage's ru_maxrss, which a child
inherits from its parent at fork and so reports the benchmark runner's peak when that is larger.
pipeline: decode (PIL), RandomResizedCrop(224) and a random flip per image, ToTensor, batch 64, two persistent worker
  processes; three untimed passes (as SharpGrad's side), then the median images/s of three full passes. Prints {"images_per_s"}.
"""
import json
import statistics
import sys
import time

import torch
import torchvision
from torch import nn

from fastai_head import create_head

torch.set_num_threads(2)
torch.manual_seed(0)


def model():
    body = nn.Sequential(*list(torchvision.models.resnet18(weights=None).children())[:-2])
    head = create_head(2)
    return body, head, nn.Sequential(body, head)


def median_ms(step, warmup=2, reps=5):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def steps():
    out = {}
    for mode in ("frozen", "full"):
        body, head, m = model()
        m.train()
        if mode == "frozen":
            for mod in body.modules():
                if isinstance(mod, nn.Conv2d):
                    for p in mod.parameters():
                        p.requires_grad_(False)
        opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
        x, y = torch.rand(32, 3, 224, 224), torch.randint(0, 2, (32,))
        loss_func = nn.CrossEntropyLoss()

        def step():
            loss = loss_func(m(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        out[f"{mode}_ms"] = median_ms(step)
    _, _, m = model()
    m.eval()
    x = torch.rand(64, 3, 224, 224)

    def infer():
        with torch.no_grad():
            m(x)
    out["infer_ms"] = median_ms(infer, warmup=1, reps=3)
    out["peak_rss_mb"] = peak_mb()
    return out


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc/self/status")


def memory():
    _, _, m = model()
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
    x, y = torch.rand(32, 3, 224, 224), torch.randint(0, 2, (32,))
    loss_func = nn.CrossEntropyLoss()
    for _ in range(3):
        loss = loss_func(m(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return {"peak_mb": peak_mb()}


def pipeline(folder):
    from torchvision import transforms
    tfm = transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor()])
    ds = torchvision.datasets.ImageFolder(folder, transform=tfm)
    # persistent_workers: the two worker processes start once, as in a long run, not once per pass.
    dl = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=2, persistent_workers=True)
    for _ in range(3):
        for _ in dl:
            pass
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        n = 0
        for x, _ in dl:
            n += x.shape[0]
        rates.append(n / (time.perf_counter() - t0))
    return {"images_per_s": statistics.median(rates)}


if __name__ == "__main__":
    mode = sys.argv[1]
    print(json.dumps(steps() if mode == "steps" else memory() if mode == "memory" else pipeline(sys.argv[2])))
