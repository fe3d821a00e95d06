"""Generate PyTorch reference values for SharpGrad's vision ops (conv, pooling, batch norm).

What it does
------------
Builds small test cases for conv2d, max/avg pooling, adaptive max/avg pooling and
batch norm (1d and 2d, train and eval), computes each forward output and the
gradients of sum(output * grad_output) with respect to every float input, and
writes them to ``vision.json`` next to this file.  The C# tests in
``tests/SharpGrad.Tests/Vision`` read that JSON.

Inputs and grad_outputs are drawn in float32; the ops then run in float64 on
those exact values and the results are rounded to float32.  The references are
thus the true values of the float32 problem, not one float32 summation order,
so the C# kernels can be held to rtol 1e-4 / atol 1e-5 whatever order they sum in.

How to run
----------
From the repository root::

    /usr/bin/python3 tests/reference/generate_vision.py

Deterministic (``torch.manual_seed(0)``); CI only reads the committed JSON.

JSON format
-----------
As ``ops.json`` (see generate.py): ``{"torch_version": str, "cases": [CASE]}``,
each CASE with ``op``, ``name``, ``args``, ``inputs``, ``output``, optional
``indices`` (max pools: argmax as h*W + w within each plane), ``grad_output``
and ``grads`` (one TENSOR or null per input).  Batch-norm cases take inputs
``[x, running_mean, running_var]`` followed by ``[weight, bias]`` when affine,
and add ``running_mean_after`` and ``running_var_after``: the running
statistics after the call (updated in training, unchanged in eval).  A case
whose args hold ``"untracked": true`` has no running statistics: its inputs
are ``[x, weight, bias]`` and it normalises with the batch statistics.
"""

import json
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(0)

OUT_PATH = pathlib.Path(__file__).parent / "vision.json"
CASES = []
NAMES = set()


def enc(t):
    """Encode a tensor as the JSON TENSOR object (float tensors rounded to float32)."""
    t = t.detach()
    if t.dtype in (torch.float32, torch.float64):
        flat = t.float().reshape(-1).tolist()
        for v in flat:
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError("non-finite value in reference data")
        return {"dtype": "float32", "shape": list(t.shape), "data": [float(f"{v:.9g}") for v in flat]}
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    raise TypeError(f"unsupported dtype {t.dtype}")


def add_case(op, name, args, inputs, fn, differentiable=None, extra=None):
    """Run fn on float64 copies of the float32 inputs; record output, indices and gradients.

    differentiable: one bool per input (default: all); extra(leaves) may return more fields after the call.
    """
    if name in NAMES:
        raise ValueError(f"duplicate case name {name}")
    NAMES.add(name)
    differentiable = differentiable or [True] * len(inputs)
    leaves = [x.detach().double().clone().requires_grad_(d) for x, d in zip(inputs, differentiable)]
    res = fn(*leaves)
    out, indices = res if isinstance(res, tuple) else (res, None)
    go = torch.randn(out.shape)
    (out * go.double()).sum().backward()
    case = {"op": op, "name": name, "args": args,
            "inputs": [enc(x) for x in inputs], "output": enc(out)}
    if indices is not None:
        case["indices"] = enc(indices)
    case["grad_output"] = enc(go)
    case["grads"] = [enc(x.grad if x.grad is not None else torch.zeros_like(x)) if d else None
                     for x, d in zip(leaves, differentiable)]
    if extra is not None:
        case.update(extra(leaves))
    CASES.append(case)


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def ties(*shape):
    """Small integers: many equal values inside each window."""
    return torch.round(torch.randn(shape) * 1.5) + 0.0


# ----------------------------------------------------------------------------
# conv2d: (name, input shape, out channels, kernel, stride, padding, dilation, groups, bias)
# ----------------------------------------------------------------------------

CONV = [
    ("conv_1x1_n1", (1, 3, 5, 7), 4, 1, 1, 0, 1, 1, True),
    ("conv_1x1_s2_n3", (3, 4, 9, 7), 5, 1, 2, 0, 1, 1, False),
    ("conv_1x1_16x16_direct", (2, 3, 16, 17), 4, 1, 1, 0, 1, 1, True),
    ("conv_3x3_p1_n3", (3, 3, 7, 9), 4, 3, 1, 1, 1, 1, True),
    ("conv_3x3_p0_n1", (1, 2, 6, 5), 3, 3, 1, 0, 1, 1, True),
    ("conv_3x3_s2_p1_nobias", (1, 5, 9, 11), 6, 3, 2, 1, 1, 1, False),
    ("conv_3x3_s2_p0_n3", (3, 2, 8, 7), 3, 3, 2, 0, 1, 1, True),
    ("conv_3x3_dil2_n3", (3, 2, 11, 9), 3, 3, 1, 0, 2, 1, True),
    ("conv_3x3_dil2_s2_p3", (1, 3, 10, 9), 2, 3, 2, 3, 2, 1, False),
    ("conv_7x7_s2_p3_stem", (3, 3, 13, 11), 4, 7, 2, 3, 1, 1, False),
    ("conv_7x7_p0_n1", (1, 2, 9, 9), 3, 7, 1, 0, 1, 1, True),
    ("conv_7x7_p3_s1", (1, 1, 5, 6), 2, 7, 1, 3, 1, 1, True),
    ("conv_groups2_n3", (3, 4, 7, 7), 6, 3, 1, 1, 1, 2, True),
    ("conv_groups2_s2_nobias", (1, 6, 8, 9), 4, 3, 2, 1, 1, 2, False),
    ("conv_depthwise_n3", (3, 4, 8, 7), 4, 3, 1, 1, 1, 4, True),
    ("conv_depthwise_mult2_s2", (1, 3, 9, 9), 6, 3, 2, 1, 1, 3, False),
    ("conv_depthwise_dil2_p2", (3, 2, 7, 8), 2, 3, 1, 2, 2, 2, True),
    ("conv_rect_kernel", (3, 2, 9, 10), 3, (3, 5), (1, 2), (1, 2), (2, 1), 1, True),
    ("conv_rect_stride", (1, 3, 7, 11), 2, (2, 3), (2, 1), (1, 0), 1, 1, False),
    ("conv_kernel_covers_input", (3, 2, 5, 5), 3, 5, 1, 0, 1, 1, True),
    ("conv_1x1_output_from_padding", (1, 2, 1, 1), 3, 3, 1, 1, 1, 1, True),
]
for name, shape, oc, k, s, p, d, g, bias in CONV:
    kh, kw = pair(k)
    x = torch.randn(shape)
    w = torch.randn(oc, shape[1] // g, kh, kw) * 0.5
    inputs = [x, w] + ([torch.randn(oc)] if bias else [])
    args = {"stride": pair(s), "padding": pair(p), "dilation": pair(d), "groups": g}
    add_case("conv2d", name, args, inputs,
             lambda x, w, b=None, s=s, p=p, d=d, g=g: F.conv2d(x, w, b, s, p, d, g))

# unbatched (C, H, W) input
add_case("conv2d", "conv_unbatched_3x3_p1", {"stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 1},
         [torch.randn(3, 6, 5), torch.randn(2, 3, 3, 3) * 0.5, torch.randn(2)],
         lambda x, w, b: F.conv2d(x, w, b, 1, 1, 1, 1))

# ----------------------------------------------------------------------------
# max and average pooling: (name, input shape, kernel, stride, padding)
# ----------------------------------------------------------------------------

POOL = [
    ("k2_s2", (2, 3, 8, 8), 2, 2, 0),
    ("k3_s2_p1_resnet", (2, 3, 9, 11), 3, 2, 1),
    ("k3_s2_p1_even", (1, 2, 14, 14), 3, 2, 1),
    ("k3_s1_p1", (1, 2, 7, 7), 3, 1, 1),
    ("k2_s1", (1, 2, 5, 6), 2, 1, 0),
    ("k3_s3_odd", (2, 2, 10, 11), 3, 3, 0),
    ("k5_s2_p2", (1, 2, 9, 7), 5, 2, 2),
    ("rect", (2, 2, 7, 9), (3, 2), (2, 1), (1, 0)),
    ("k1_s2", (1, 3, 5, 5), 1, 2, 0),
    ("whole_plane", (2, 3, 4, 5), (4, 5), 1, 0),
    ("unbatched", (3, 7, 7), 3, 2, 1),
]
for name, shape, k, s, p in POOL:
    args = {"kernel": pair(k), "stride": pair(s), "padding": pair(p)}
    add_case("max_pool2d", f"max_pool_{name}", args, [torch.randn(shape)],
             lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p, return_indices=True))
    add_case("avg_pool2d", f"avg_pool_{name}", dict(args, count_include_pad=True), [torch.randn(shape)],
             lambda x, k=k, s=s, p=p: F.avg_pool2d(x, k, s, p))

add_case("max_pool2d", "max_pool_ties_k3_s1_p1", {"kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]},
         [ties(2, 2, 6, 7)], lambda x: F.max_pool2d(x, 3, 1, 1, return_indices=True))
add_case("max_pool2d", "max_pool_ties_k2_s2", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]},
         [ties(1, 3, 6, 6)], lambda x: F.max_pool2d(x, 2, 2, 0, return_indices=True))
for name, shape, k, s, p in [("k3_s2_p1", (2, 2, 7, 8), 3, 2, 1), ("rect_p", (1, 3, 6, 9), (3, 5), (1, 2), (1, 2))]:
    add_case("avg_pool2d", f"avg_pool_exclude_pad_{name}",
             {"kernel": pair(k), "stride": pair(s), "padding": pair(p), "count_include_pad": False},
             [torch.randn(shape)], lambda x, k=k, s=s, p=p: F.avg_pool2d(x, k, s, p, count_include_pad=False))

# ----------------------------------------------------------------------------
# adaptive pooling: (name, input shape, output size) — sizes that do not divide the input
# ----------------------------------------------------------------------------

ADAPTIVE = [
    ("7to3", (2, 3, 7, 7), (3, 3)),
    ("5to2", (2, 2, 5, 5), (2, 2)),
    ("1to1", (3, 4, 1, 1), (1, 1)),
    ("4to1", (2, 3, 4, 4), (1, 1)),
    ("7x5to3x2", (1, 2, 7, 5), (3, 2)),
    ("5x9to2x4", (2, 2, 5, 9), (2, 4)),
    ("3to5_upsample", (1, 2, 3, 3), (5, 5)),
    ("6to4", (1, 3, 6, 6), (4, 4)),
    ("unbatched_7to3", (3, 7, 6), (3, 2)),
]
for name, shape, out in ADAPTIVE:
    args = {"output_size": list(out)}
    add_case("adaptive_max_pool2d", f"adaptive_max_{name}", args, [torch.randn(shape)],
             lambda x, out=out: F.adaptive_max_pool2d(x, out, return_indices=True))
    add_case("adaptive_avg_pool2d", f"adaptive_avg_{name}", args, [torch.randn(shape)],
             lambda x, out=out: F.adaptive_avg_pool2d(x, out))
add_case("adaptive_max_pool2d", "adaptive_max_ties_7to3", {"output_size": [3, 3]}, [ties(2, 2, 7, 7)],
         lambda x: F.adaptive_max_pool2d(x, (3, 3), return_indices=True))

# ----------------------------------------------------------------------------
# batch norm: (name, input shape, training, affine, momentum, eps, input offset)
# ----------------------------------------------------------------------------

BN = [
    ("bn2d_train", (4, 3, 5, 6), True, True, 0.1, 1e-5, 0.0),
    ("bn2d_eval", (4, 3, 5, 6), False, True, 0.1, 1e-5, 0.0),
    ("bn2d_train_offset_momentum03", (3, 4, 3, 5), True, True, 0.3, 1e-3, 3.0),
    ("bn2d_train_no_affine", (2, 3, 4, 4), True, False, 0.1, 1e-5, 0.0),
    ("bn2d_eval_no_affine", (2, 3, 4, 4), False, False, 0.1, 1e-5, 0.0),
    ("bn2d_train_n1", (1, 2, 3, 3), True, True, 0.1, 1e-5, 0.0),
    ("bn1d_train_2d", (8, 5), True, True, 0.1, 1e-5, 0.0),
    ("bn1d_eval_2d", (8, 5), False, True, 0.1, 1e-5, 0.0),
    ("bn1d_train_2d_n2", (2, 6), True, True, 0.1, 1e-5, 0.0),
    ("bn1d_train_3d", (4, 3, 7), True, True, 0.1, 1e-5, 0.0),
    ("bn1d_eval_3d", (4, 3, 7), False, True, 0.1, 1e-5, 0.0),
]
for name, shape, training, affine, momentum, eps, offset in BN:
    c = shape[1]
    x = torch.randn(shape) * 2 + offset
    rm, rv = torch.randn(c) * 0.5, torch.rand(c) + 0.5
    inputs = [x, rm, rv] + ([torch.rand(c) + 0.5, torch.randn(c)] if affine else [])
    args = {"training": training, "affine": affine, "momentum": momentum, "eps": eps}

    def fn(x, rm, rv, w=None, b=None, training=training, momentum=momentum, eps=eps):
        return F.batch_norm(x, rm, rv, w, b, training, momentum, eps)

    add_case("batch_norm", name, args, inputs, fn, differentiable=[True, False, False] + [True] * (len(inputs) - 3),
             extra=lambda leaves: {"running_mean_after": enc(leaves[1]), "running_var_after": enc(leaves[2])})

# batch norm in training without running statistics (track_running_stats=False)
add_case("batch_norm", "bn2d_train_untracked", {"training": True, "affine": True, "momentum": 0.1, "eps": 1e-5, "untracked": True},
         [torch.randn(3, 2, 4, 3), torch.rand(2) + 0.5, torch.randn(2)],
         lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-5))

OUT_PATH.write_text(json.dumps({"torch_version": torch.__version__, "cases": CASES}, separators=(",", ":")) + "\n")
print(f"wrote {len(CASES)} cases to {OUT_PATH} ({OUT_PATH.stat().st_size} bytes)")
