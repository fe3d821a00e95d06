"""PyTorch goldens for SharpGrad's grid-sample kernel (bilinear, align_corners=True, zeros/border/reflection padding).

Writes ``grid_sample.json`` next to this file: for each case the input image (C, H, W), the grid (OH, OW, 2) in
[-1.4, 1.4] (so padding is exercised), the padding mode and ``F.grid_sample``'s output, all float32 as lists.
Run: ``/usr/bin/python3 tests/reference/generate_grid_sample.py`` (Debian's python3-torch). Deterministic.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = []
for pad in ["zeros", "border", "reflection"]:
    for (c, h, w, oh, ow) in [(3, 9, 11, 7, 5), (1, 4, 4, 6, 6), (2, 1, 5, 3, 4), (3, 16, 16, 16, 16)]:
        x = torch.rand(1, c, h, w)
        grid = (torch.rand(1, oh, ow, 2) * 2.8 - 1.4)
        if (h, w) == (16, 16):  # an affine grid: rotation and zoom, the way augmentation samples
            t = torch.tensor([[[0.9, 0.3, 0.1], [-0.25, 1.05, -0.2]]])
            grid = F.affine_grid(t, (1, c, oh, ow), align_corners=True)
        y = F.grid_sample(x, grid, mode="bilinear", padding_mode=pad, align_corners=True)
        cases.append({"pad": pad, "shape": [c, h, w, oh, ow], "x": x.flatten().tolist(), "grid": grid.flatten().tolist(),
                      "y": y.flatten().tolist()})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "grid_sample.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
print(len(cases), "cases")
