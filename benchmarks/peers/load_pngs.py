#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- load`: the seed's PNG loop and a PyTorch DataLoader, timed in-process.

Usage: load_pngs.py MNIST_SAMPLE_DIR
Prints one JSON object: {"load_s": seconds to turn every PNG into a tensor and stack them,
                         "batches_per_s": shuffled bs-256 batches per second over the train set}.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

torch.set_num_threads(2)
path = Path(sys.argv[1])


def load():
    # fastbook chapter 4: tensor(Image.open(o)) for every file, then stack; here all four folders
    out = {}
    for split in ("train", "valid"):
        for label in ("3", "7"):
            files = sorted((path / split / label).glob("*.png"))
            out[(split, label)] = torch.stack([torch.as_tensor(np.array(Image.open(o))) for o in files])
    return out


load()  # warm the page cache and the imports
start = time.perf_counter()
tensors = load()
load_s = time.perf_counter() - start

x = torch.cat([tensors[("train", "3")], tensors[("train", "7")]]).float().div(255).unsqueeze(1).expand(-1, 3, -1, -1).contiguous()
y = torch.cat([torch.zeros(len(tensors[("train", "3")]), dtype=torch.long), torch.ones(len(tensors[("train", "7")]), dtype=torch.long)])
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=256, shuffle=True, drop_last=True)
for _ in dl:
    pass
batches, start = 0, time.perf_counter()
while time.perf_counter() - start < 2.0:
    for xb, yb in dl:
        batches += 1
batches_per_s = batches / (time.perf_counter() - start)
print(json.dumps({"load_s": load_s, "batches_per_s": batches_per_s}))
