#!/usr/bin/env python3
"""Peer for `SharpGrad.Benchmarks -- gpu-gemm --device=cuda`: cuBLAS's fp32 GEMM through torch.matmul, TF32 off.

Usage: gemm_cuda.py --device cuda[:N] SIZE...
For each square size: randn operands on the GPU, one untimed product, then enough products for about a second,
synchronised before the clock stops. Prints one JSON object: {"gflops": {"SIZE": GFLOP/s, ...}, "torch": version,
"device": the GPU's name}.
"""
import json
import sys
import time

import torch

import peer_device

device = peer_device.from_argv()  # TF32 off
sizes = [int(s) for s in sys.argv[1:]]
torch.manual_seed(1)
gflops = {}
for n in sizes:
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    torch.matmul(a, b)
    peer_device.sync(device)
    flops = 2.0 * n * n * n
    reps = int(min(200, max(3, 2e12 / flops)))
    t0 = time.perf_counter()
    for _ in range(reps):
        torch.matmul(a, b)
    peer_device.sync(device)
    gflops[str(n)] = flops * reps / (time.perf_counter() - t0) / 1e9
print(json.dumps({"gflops": gflops, "torch": torch.__version__, "device": torch.cuda.get_device_name(device)}))
