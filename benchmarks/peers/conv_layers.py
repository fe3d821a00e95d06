"""PyTorch peer of the `conv` suite: times each convolution shape given as JSON on the command line.

usage: conv_layers.py '[{"c":3,"h":28,"oc":64,"k":7,"stride":2,"pad":3,"input_grad":false}, ...]' batch
Prints one JSON line: {"layers": [{"fwd_s": median forward seconds, "train_s": median forward+backward seconds}, ...]}
with 2 threads, as the SharpGrad side runs.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def median_time(fn, min_seconds=0.3, min_reps=5):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    layers = json.loads(sys.argv[1])
    batch = int(sys.argv[2])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    out = []
    for l in layers:
        x = torch.randn(batch, l["c"], l["h"], l["h"])
        w = torch.randn(l["oc"], l["c"], l["k"], l["k"])

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, stride=l["stride"], padding=l["pad"])

        xg = x.clone().requires_grad_(l["input_grad"])
        wg = w.clone().requires_grad_(True)

        def train():
            y = F.conv2d(xg, wg, stride=l["stride"], padding=l["pad"])
            y.backward(torch.ones_like(y))
            wg.grad = None
            xg.grad = None

        out.append({"fwd_s": median_time(fwd), "train_s": median_time(train)})
    print(json.dumps({"layers": out}))


if __name__ == "__main__":
    main()
