#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- mlp-step`: one training step of chapter 4's 784-30-1 MLP on a 256 batch in PyTorch.

Usage: mlp_step.py [STEPS [ROUNDS]]      (defaults: 2000 steps, 5 rounds)

The step is the seed's: nn.Linear(784, 30), ReLU, nn.Linear(30, 1), sigmoid, mnist_loss (torch.where), backward,
SGD at lr 0.1, zero_grad (set to None, PyTorch 2's default). Random inputs from seed 0; 200 untimed warm-up steps.
Prints one JSON object: {"us_per_step": the median over the rounds of each round's mean step time, in microseconds}.
"""
import json
import statistics
import sys
import time

import torch
from torch import nn

torch.set_num_threads(2)
torch.manual_seed(0)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5

x = torch.rand(256, 784)
y = (torch.rand(256, 1) > 0.5).float()
model = nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)


def step():
    p = model(x).sigmoid()
    loss = torch.where(y == 1, 1 - p, p).mean()
    loss.backward()
    opt.step()
    opt.zero_grad()


for _ in range(200):
    step()
per_round = []
for _ in range(rounds):
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    per_round.append((time.perf_counter() - t0) / steps * 1e6)
print(json.dumps({"us_per_step": statistics.median(per_round)}))
