"""Reference parameter trajectories for SharpGrad's optimizers, computed with PyTorch.

fastai's optimizers map onto PyTorch's: fastai ``SGD(mom)`` is ``torch.optim.SGD(momentum=mom, dampening=0)``;
its decoupled weight decay ``p *= 1 - lr*wd`` is applied by hand before the step; fastai ``Adam`` (mom, sqr_mom, eps,
decoupled wd) is ``torch.optim.AdamW(betas=(mom, sqr_mom), eps=eps, weight_decay=wd)``.

Run: /usr/bin/python3 tests/reference/generate_optim.py   (writes optim.json beside this file; CI only reads it)
"""
import json
import pathlib

import torch

torch.manual_seed(0)
p0 = torch.randn(6)
grads = [torch.randn(6) for _ in range(5)]

CONFIGS = [
    ("sgd", {"lr": 0.1, "mom": 0.0, "wd": 0.0}),
    ("sgd", {"lr": 0.1, "mom": 0.9, "wd": 0.0}),
    ("sgd", {"lr": 0.05, "mom": 0.9, "wd": 0.1}),
    ("adam", {"lr": 0.01, "mom": 0.9, "sqr_mom": 0.99, "eps": 1e-5, "wd": 0.01}),
    ("adam", {"lr": 0.1, "mom": 0.85, "sqr_mom": 0.999, "eps": 1e-8, "wd": 0.0}),
]

cases = []
for kind, h in CONFIGS:
    p = torch.nn.Parameter(p0.clone())
    if kind == "sgd":
        opt = torch.optim.SGD([p], lr=h["lr"], momentum=h["mom"], dampening=0, weight_decay=0)
    else:
        opt = torch.optim.AdamW([p], lr=h["lr"], betas=(h["mom"], h["sqr_mom"]), eps=h["eps"], weight_decay=h["wd"])
    steps = []
    for g in grads:
        if kind == "sgd" and h["wd"]:
            with torch.no_grad():
                p.mul_(1 - h["lr"] * h["wd"])
        p.grad = g.clone()
        opt.step()
        steps.append([float(f"{v:.9g}") for v in p.detach().tolist()])
    cases.append({"optimizer": kind, "hyper": h, "steps": steps})

doc = {
    "torch_version": torch.__version__,
    "initial": [float(f"{v:.9g}") for v in p0.tolist()],
    "grads": [[float(f"{v:.9g}") for v in g.tolist()] for g in grads],
    "cases": cases,
}
out = pathlib.Path(__file__).parent / "optim.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"{len(cases)} optimizer cases -> {out}")
