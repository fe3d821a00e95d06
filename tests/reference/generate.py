"""Generate PyTorch reference values for SharpGrad's operator tests.

What it does
------------
Builds a fixed set of small test cases (forward output plus gradients of
sum(output * grad_output) with respect to every float input) for the ops the
SharpGrad C# engine implements, computes them with PyTorch in float32, and
writes them to ``ops.json`` next to this file.  The C# test suite reads that
JSON and compares its own results against it.

How to run
----------
From the repository root::

    /usr/bin/python3 tests/reference/generate.py

The output path is resolved relative to this file, so the working directory
does not matter.  The script is deterministic (``torch.manual_seed(0)``);
re-running it with the same PyTorch version reproduces the same file.

CI does not need PyTorch: the generated ``ops.json`` is committed and the C#
tests only read it.  Re-run this script only when adding or changing cases.

JSON format
-----------
``{"torch_version": str, "cases": [CASE, ...]}`` where each CASE has
``op``, ``name`` (unique), ``args``, ``inputs`` (list of TENSOR), ``output``
(TENSOR; for ops returning (values, indices) this is the values), optional
``indices`` (TENSOR), ``grad_output`` (TENSOR or null when the output is not
differentiable) and ``grads`` (one TENSOR or null per input).
A TENSOR is ``{"dtype": "float32"|"int64"|"bool", "shape": [...], "data":
[flat row-major values]}``; a 0-d tensor has shape [] and one data value.
"""

import json
import pathlib
from collections import Counter

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

OUT_PATH = pathlib.Path(__file__).parent / "ops.json"

CASES = []
NAMES = set()


# ----------------------------------------------------------------------------
# Serialization helpers
# ----------------------------------------------------------------------------

def enc(t):
    """Encode a tensor as the JSON TENSOR object."""
    t = t.detach()
    shape = list(t.shape)
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        for v in flat:
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError("non-finite value in reference data")
        data = [float(f"{v:.9g}") for v in flat]
        dtype = "float32"
    elif t.dtype == torch.int64:
        data = [int(v) for v in flat]
        dtype = "int64"
    elif t.dtype == torch.bool:
        data = [bool(v) for v in flat]
        dtype = "bool"
    else:
        raise TypeError(f"unsupported dtype {t.dtype}")
    return {"dtype": dtype, "shape": shape, "data": data}


def sh(shape):
    """Shape -> name fragment: [] -> 's', [3,4] -> '3x4'."""
    shape = list(shape)
    return "s" if len(shape) == 0 else "x".join(str(d) for d in shape)


def add_case(op, name, args, inputs, fn, differentiable=True):
    """Run fn(*inputs), record output and gradients.

    Float inputs get requires_grad=True when differentiable is True.
    fn may return a tensor or a (values, indices) tuple.
    """
    if name in NAMES:
        raise ValueError(f"duplicate case name {name}")
    NAMES.add(name)

    leaves = []
    for x in inputs:
        x = x.detach().clone()
        if differentiable and x.dtype == torch.float32:
            x.requires_grad_(True)
        leaves.append(x)

    res = fn(*leaves)
    indices = None
    if isinstance(res, tuple):
        out, indices = res
    else:
        out = res

    case = {"op": op, "name": name, "args": args,
            "inputs": [enc(x) for x in leaves], "output": enc(out)}
    if indices is not None:
        case["indices"] = enc(indices)

    if differentiable and out.dtype == torch.float32 and out.requires_grad:
        go = torch.randn(out.shape)
        (out * go).sum().backward()
        grads = []
        for x in leaves:
            if x.requires_grad:
                g = x.grad if x.grad is not None else torch.zeros_like(x)
                grads.append(enc(g))
            else:
                grads.append(None)
        case["grad_output"] = enc(go)
        case["grads"] = grads
    else:
        case["grad_output"] = None
        case["grads"] = [None for _ in leaves]

    CASES.append(case)


# ----------------------------------------------------------------------------
# Input helpers
# ----------------------------------------------------------------------------

def randn(*shape):
    return torch.randn(tuple(shape))


def positive(*shape):
    return torch.rand(tuple(shape)) + 0.1


def away_from_zero(*shape):
    x = torch.randn(tuple(shape))
    return torch.sign(x) * (x.abs() + 0.5)


def nudge(x, points=(0.0,), eps=1e-3):
    """Move values within eps of any of `points` to exactly eps away."""
    x = x.clone()
    for p in points:
        d = x - p
        close = d.abs() < eps
        s = torch.where(d >= 0, torch.ones_like(d), -torch.ones_like(d))
        x = torch.where(close, p + s * eps * 2, x)
    return x


def int_valued(*shape):
    """Float tensor with small integer values (many ties) for comparisons."""
    # "+ 0.0" turns -0.0 into 0.0 so the JSON holds no negative zeros.
    return torch.round(torch.randn(tuple(shape)) * 2) + 0.0


UNARY_SHAPES = [[], [7], [3, 4], [2, 3, 4]]
BINARY_SHAPES = [
    ([], []), ([7], [7]), ([3, 4], [3, 4]), ([2, 3, 4], [2, 3, 4]),
    ([3, 4], [4]), ([3, 1], [1, 4]), ([2, 1, 4], [3, 1]), ([5], []),
    ([4, 1], [4, 4]),
]


def bin_name(op, sa, sb):
    if list(sa) == list(sb):
        return f"{op}_{sh(sa)}"
    return f"{op}_bcast_{sh(sa)}_{sh(sb)}"


# ----------------------------------------------------------------------------
# Unary float ops
# ----------------------------------------------------------------------------

UNARY = {
    "neg": (torch.neg, randn),
    "exp": (torch.exp, randn),
    "log": (torch.log, positive),
    "sqrt": (torch.sqrt, positive),
    "abs": (torch.abs, lambda *s: nudge(randn(*s))),
    "sigmoid": (torch.sigmoid, randn),
    "relu": (torch.relu, lambda *s: nudge(randn(*s))),
    "tanh": (torch.tanh, randn),
    "square": (torch.square, randn),
}
for op, (fn, gen) in UNARY.items():
    for s in UNARY_SHAPES:
        add_case(op, f"{op}_{sh(s)}", {}, [gen(*s)], fn)

# pow with a scalar exponent
for e in [2, 3, 0.5, -1]:
    gen = positive if isinstance(e, float) or e < 0 else randn
    ename = str(e).replace("-", "m").replace(".", "p")
    for s in UNARY_SHAPES:
        add_case("pow_scalar", f"pow_scalar_{ename}_{sh(s)}", {"exponent": e},
                 [gen(*s)], lambda x, e=e: torch.pow(x, e))

# clamp
CLAMP_ARGS = [
    ("minmax", {"min": -0.5, "max": 0.5}),
    ("min", {"min": 0.0}),
    ("max", {"max": 0.5}),
]
for tag, a in CLAMP_ARGS:
    for s in UNARY_SHAPES:
        x = nudge(randn(*s), points=(-0.5, 0.0, 0.5))
        add_case("clamp", f"clamp_{tag}_{sh(s)}", a, [x],
                 lambda x, a=a: torch.clamp(x, min=a.get("min"), max=a.get("max")))

# scalar arithmetic
SCALAR_OPS = [
    ("mul_scalar", 2.5, lambda x, c: x * c, randn),
    ("add_scalar", -1.5, lambda x, c: x + c, randn),
    ("rsub_scalar", 1.0, lambda x, c: c - x, randn),
    ("rdiv_scalar", 2.0, lambda x, c: c / x, away_from_zero),
    ("div_scalar", 4.0, lambda x, c: x / c, randn),
]
for op, c, fn, gen in SCALAR_OPS:
    for s in UNARY_SHAPES:
        add_case(op, f"{op}_{sh(s)}", {"scalar": c}, [gen(*s)],
                 lambda x, c=c, fn=fn: fn(x, c))

# ----------------------------------------------------------------------------
# Binary float ops with broadcasting
# ----------------------------------------------------------------------------

BINARY = {
    "add": (torch.add, randn, randn),
    "sub": (torch.sub, randn, randn),
    "mul": (torch.mul, randn, randn),
    "div": (torch.div, randn, away_from_zero),
    "maximum": (torch.maximum, randn, randn),
    "minimum": (torch.minimum, randn, randn),
    "pow": (torch.pow, positive, randn),
}
for op, (fn, ga, gb) in BINARY.items():
    for sa, sb in BINARY_SHAPES:
        add_case(op, bin_name(op, sa, sb), {}, [ga(*sa), gb(*sb)], fn)

# ----------------------------------------------------------------------------
# Comparisons (non-differentiable, bool output)
# ----------------------------------------------------------------------------

COMPARE = {"gt": torch.gt, "lt": torch.lt, "ge": torch.ge,
           "le": torch.le, "eq": torch.eq, "ne": torch.ne}
for op, fn in COMPARE.items():
    for sa, sb in BINARY_SHAPES:
        add_case(op, bin_name(op, sa, sb), {}, [int_valued(*sa), int_valued(*sb)],
                 fn, differentiable=False)

# ----------------------------------------------------------------------------
# where(cond, a, b)
# ----------------------------------------------------------------------------

WHERE_SHAPES = [
    ([3, 4], [3, 4], [4]),
    ([3, 4], [3, 4], [3, 4]),
    ([3, 1], [1, 4], []),
    ([2, 3, 4], [3, 1], [2, 1, 4]),
    ([7], [], [7]),
]
for sc, sa, sb in WHERE_SHAPES:
    cond = torch.rand(tuple(sc)) > 0.5
    add_case("where", f"where_{sh(sc)}_{sh(sa)}_{sh(sb)}", {},
             [cond, randn(*sa), randn(*sb)], torch.where)

# ----------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------

RED_DIMS = {
    (2, 3, 4): [None, [0], [-1], [1], [-1, -2], [0, 2]],
    (5, 6): [None, [0], [-1], [1], [-1, -2]],
    (7,): [None, [0], [-1]],
}


def dims_name(dims):
    if dims is None:
        return "all"
    return "d" + "_".join(str(d).replace("-", "m") for d in dims)


for op, fn in [("sum", torch.sum), ("mean", torch.mean)]:
    for s, dlist in RED_DIMS.items():
        for dims in dlist:
            for keep in ([False] if dims is None else [False, True]):
                nm = f"{op}_{sh(s)}_{dims_name(dims)}" + ("_keep" if keep else "")
                if dims is None:
                    f = lambda x, fn=fn: fn(x)
                else:
                    f = lambda x, fn=fn, dims=dims, keep=keep: fn(x, dim=dims, keepdim=keep)
                add_case(op, nm, {"dims": dims, "keepdim": keep}, [randn(*s)], f)

for op, fn in [("var", torch.var), ("std", torch.std)]:
    for s, dlist in RED_DIMS.items():
        for dims in dlist:
            for unb in [True, False]:
                for keep in ([False] if dims is None else [False, True]):
                    nm = (f"{op}_{sh(s)}_{dims_name(dims)}"
                          + ("_keep" if keep else "") + ("_unbiased" if unb else "_biased"))
                    if dims is None:
                        f = lambda x, fn=fn, unb=unb: fn(x, unbiased=unb)
                    else:
                        f = (lambda x, fn=fn, dims=dims, keep=keep, unb=unb:
                             fn(x, dim=dims, unbiased=unb, keepdim=keep))
                    add_case(op, nm, {"dims": dims, "keepdim": keep, "unbiased": unb},
                             [randn(*s)], f)

DIM_CHOICES = {(2, 3, 4): [0, 1, -1], (5, 6): [0, 1, -1], (7,): [0]}
for op, fn in [("max_dim", torch.max), ("min_dim", torch.min)]:
    for s, ds in DIM_CHOICES.items():
        for d in ds:
            for keep in [False, True]:
                nm = f"{op}_{sh(s)}_d{str(d).replace('-', 'm')}" + ("_keep" if keep else "")
                add_case(op, nm, {"dim": d, "keepdim": keep}, [randn(*s)],
                         lambda x, fn=fn, d=d, keep=keep: tuple(fn(x, dim=d, keepdim=keep)))

for op, fn in [("max_all", torch.max), ("min_all", torch.min)]:
    for s in [[7], [5, 6], [2, 3, 4]]:
        add_case(op, f"{op}_{sh(s)}", {}, [randn(*s)], lambda x, fn=fn: fn(x))

for s, ds in DIM_CHOICES.items():
    add_case("argmax", f"argmax_{sh(s)}_all", {"dim": None, "keepdim": False},
             [randn(*s)], lambda x: torch.argmax(x), differentiable=False)
    for d in ds:
        for keep in [False, True]:
            nm = f"argmax_{sh(s)}_d{str(d).replace('-', 'm')}" + ("_keep" if keep else "")
            add_case("argmax", nm, {"dim": d, "keepdim": keep}, [randn(*s)],
                     lambda x, d=d, keep=keep: torch.argmax(x, dim=d, keepdim=keep),
                     differentiable=False)

SOFTMAX_CASES = [([5], -1), ([5], 0), ([3, 4], -1), ([3, 4], 0), ([2, 3, 4], 1),
                 ([2, 3, 4], -1)]
for op, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
    for s, d in SOFTMAX_CASES:
        add_case(op, f"{op}_{sh(s)}_d{str(d).replace('-', 'm')}", {"dim": d},
                 [randn(*s)], lambda x, d=d, fn=fn: fn(x, dim=d))
    # large logits: naive exp would overflow float32
    for s, d in [([3, 4], -1), ([2, 3, 4], 1)]:
        x = randn(*s) * 100 + 1000
        add_case(op, f"{op}_large_{sh(s)}_d{str(d).replace('-', 'm')}", {"dim": d},
                 [x], lambda x, d=d, fn=fn: fn(x, dim=d))

# ----------------------------------------------------------------------------
# Matmul
# ----------------------------------------------------------------------------

MATMUL_SHAPES = [
    ([4], [4]), ([3, 4], [4]), ([4], [4, 5]), ([3, 4], [4, 5]),
    ([2, 3, 4], [2, 4, 5]), ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]),
    ([2, 1, 3, 4], [5, 4, 2]), ([4], [2, 4, 5]), ([2, 3, 4], [4]),
    ([17, 33], [33, 9]),
]
for sa, sb in MATMUL_SHAPES:
    add_case("matmul", f"matmul_{sh(sa)}_{sh(sb)}", {}, [randn(*sa), randn(*sb)],
             torch.matmul)

# ----------------------------------------------------------------------------
# Views / shape ops
# ----------------------------------------------------------------------------

for s, d0, d1 in [([3, 4], 0, 1), ([2, 3, 4], 0, 2), ([2, 3, 4], -1, -2),
                  ([2, 3, 4], 1, 1)]:
    add_case("transpose", f"transpose_{sh(s)}_{d0}_{d1}".replace("-", "m"),
             {"dim0": d0, "dim1": d1}, [randn(*s)],
             lambda x, d0=d0, d1=d1: torch.transpose(x, d0, d1))

for s, dims in [([3, 4], [1, 0]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [1, 2, 0]),
                ([2, 3, 4, 2], [3, 1, 0, 2]), ([2, 3, 4], [-1, 0, -2])]:
    add_case("permute", f"permute_{sh(s)}_" + "_".join(str(d).replace("-", "m") for d in dims),
             {"dims": dims}, [randn(*s)], lambda x, dims=dims: x.permute(*dims))

for s, ns in [([3, 4], [4, 3]), ([3, 4], [12]), ([2, 3, 4], [6, -1]),
              ([2, 3, 4], [-1]), ([12], [2, 2, 3]), ([2, 3, 4], [4, 1, -1, 2]),
              ([], [1, 1]), ([1], [])]:
    add_case("reshape", f"reshape_{sh(s)}_to_" + "_".join(str(d).replace("-", "m") for d in ns),
             {"shape": ns}, [randn(*s)], lambda x, ns=ns: x.reshape(ns))

for s, d in [([3, 4], 0), ([3, 4], 1), ([3, 4], 2), ([3, 4], -1), ([3, 4], -3), ([], 0)]:
    add_case("unsqueeze", f"unsqueeze_{sh(s)}_d{str(d).replace('-', 'm')}", {"dim": d},
             [randn(*s)], lambda x, d=d: x.unsqueeze(d))

for s, d in [([3, 1, 4, 1], None), ([3, 1, 4, 1], 1), ([3, 1, 4, 1], -1),
             ([3, 1, 4, 1], 0), ([1], None), ([1, 1], 0)]:
    dn = "all" if d is None else "d" + str(d).replace("-", "m")
    add_case("squeeze", f"squeeze_{sh(s)}_{dn}", {"dim": d}, [randn(*s)],
             (lambda x: x.squeeze()) if d is None else (lambda x, d=d: x.squeeze(d)))

for s, a, b in [([2, 3, 4], 0, -1), ([2, 3, 4], 1, 2), ([2, 3, 4], 0, 1),
                ([2, 3, 4, 2], 1, -2), ([7], 0, -1), ([], 0, -1)]:
    add_case("flatten", f"flatten_{sh(s)}_{a}_{b}".replace("-", "m"),
             {"start_dim": a, "end_dim": b}, [randn(*s)],
             lambda x, a=a, b=b: torch.flatten(x, a, b))

for s, ns in [([3, 1], [2, 3, 4]), ([3, 1], [-1, 4]), ([3, 1], [2, -1, 4]),
              ([1, 4], [3, 4]), ([], [2, 3]), ([4], [3, 4]), ([2, 1, 1], [2, 3, 4])]:
    add_case("expand", f"expand_{sh(s)}_to_" + "_".join(str(d).replace("-", "m") for d in ns),
             {"shape": ns}, [randn(*s)], lambda x, ns=ns: x.expand(*ns))


# slice: index encoded as list of int | {"start","stop","step"} | "..."
def S(start=None, stop=None, step=None):
    return {"start": start, "stop": stop, "step": step}


def decode_index(idx):
    out = []
    for e in idx:
        if e == "...":
            out.append(Ellipsis)
        elif isinstance(e, dict):
            out.append(slice(e["start"], e["stop"], e["step"]))
        else:
            out.append(int(e))
    return tuple(out)


SLICE_CASES = [
    ("int_slice", [3, 4], [1, S(1, 3)]),
    ("col", [3, 4], [S(), 1]),
    ("last_row", [3, 4], [-1]),
    ("step2", [3, 4], [S(), S(None, None, 2)]),
    ("ellipsis_tail", [3, 4], ["...", S(1)]),
    ("rows_neg_col", [3, 4], [S(1), -2]),
    ("3d_mixed", [2, 3, 4], [S(), S(1, 3), S(None, None, 2)]),
    ("3d_ellipsis_int", [2, 3, 4], ["...", 0]),
    ("3d_int_ellipsis_slice", [2, 3, 4], [0, "...", S(1, 3)]),
    ("3d_neg_bounds", [2, 3, 4], [S(-1), S(None, -1), S(-3, None, 2)]),
    ("3d_two_ints", [2, 3, 4], [1, -1]),
    ("1d_step3", [7], [S(1, None, 3)]),
    ("1d_int", [7], [3]),
    ("out_of_range_stop", [7], [S(2, 100)]),
]
for tag, s, idx in SLICE_CASES:
    pidx = decode_index(idx)
    add_case("slice", f"slice_{sh(s)}_{tag}", {"index": idx}, [randn(*s)],
             lambda x, pidx=pidx: x[pidx])

INDEX_CASES = [
    ("rep", [5, 3], torch.tensor([0, 2, 2, 4, 0])),
    ("1d", [7], torch.tensor([6, 0, 3, 3])),
    ("2d", [5, 3], torch.tensor([[1, 0, 4], [4, 4, 2]])),
    ("3d_src", [4, 2, 3], torch.tensor([3, 1, 3])),
]
for tag, s, idx in INDEX_CASES:
    add_case("index_tensor", f"index_tensor_{sh(s)}_{tag}", {}, [randn(*s), idx],
             lambda x, i: x[i])

for s in [[3, 4], [2, 3, 4], [7]]:
    mask = torch.rand(tuple(s)) > 0.5
    add_case("mask_select", f"mask_select_{sh(s)}", {}, [randn(*s), mask],
             lambda x, m: x[m])

GATHER_CASES = [
    ([3, 4], 1, torch.tensor([[0, 3], [1, 1], [2, 0]])),
    ([3, 4], 0, torch.tensor([[0, 2, 2, 1], [2, 2, 0, 1]])),
    ([2, 3, 4], -1, torch.tensor([[[0, 3, 3]], [[1, 2, 0]]]).expand(2, 3, 3).contiguous()),
    ([2, 3, 4], 1, torch.tensor([[[0, 1, 2, 2], [2, 2, 1, 0]], [[1, 1, 1, 1], [0, 0, 2, 2]]])),
    ([7], 0, torch.tensor([6, 6, 0, 2])),
]
for s, d, idx in GATHER_CASES:
    add_case("gather", f"gather_{sh(s)}_d{str(d).replace('-', 'm')}_{sh(idx.shape)}",
             {"dim": d}, [randn(*s), idx], lambda x, i, d=d: torch.gather(x, d, i))

INDEX_SELECT_CASES = [
    ([5, 3], 0, torch.tensor([4, 0, 0, 2])),
    ([5, 3], 1, torch.tensor([2, 0])),
    ([2, 3, 4], -1, torch.tensor([3, 3, 1])),
    ([2, 3, 4], 1, torch.tensor([0, 2, 0, 1, 2])),
    ([7], 0, torch.tensor([1, 5, 1])),
]
for s, d, idx in INDEX_SELECT_CASES:
    add_case("index_select", f"index_select_{sh(s)}_d{str(d).replace('-', 'm')}_n{idx.numel()}",
             {"dim": d}, [randn(*s), idx], lambda x, i, d=d: torch.index_select(x, d, i))

CAT_CASES = [
    (0, [[2, 3], [1, 3], [4, 3]]),
    (1, [[2, 3], [2, 1], [2, 2]]),
    (-1, [[2, 3, 1], [2, 3, 4], [2, 3, 2]]),
    (-2, [[2, 1, 4], [2, 3, 4], [2, 2, 4]]),
    (0, [[3], [5], [1]]),
]
for d, shapes in CAT_CASES:
    add_case("cat", f"cat_d{str(d).replace('-', 'm')}_" + "_".join(sh(s) for s in shapes),
             {"dim": d}, [randn(*s) for s in shapes], lambda *xs, d=d: torch.cat(xs, dim=d))

STACK_CASES = [(0, [3, 4]), (1, [3, 4]), (2, [3, 4]), (-1, [3, 4]), (-3, [3, 4]),
               (0, []), (-2, [2, 3, 2])]
for d, s in STACK_CASES:
    add_case("stack", f"stack_d{str(d).replace('-', 'm')}_{sh(s)}", {"dim": d},
             [randn(*s) for _ in range(3)], lambda *xs, d=d: torch.stack(xs, dim=d))

ONE_HOT_CASES = [
    (4, torch.tensor([0, 3, 1, 1, 2])),
    (5, torch.tensor([[4, 0, 2], [1, 1, 3]])),
    (3, torch.tensor(2)),
]
for n, labels in ONE_HOT_CASES:
    add_case("one_hot", f"one_hot_{sh(labels.shape)}_n{n}", {"num_classes": n}, [labels],
             lambda l, n=n: torch.nn.functional.one_hot(l, num_classes=n),
             differentiable=False)

# ----------------------------------------------------------------------------
# Losses and layers (SharpGrad.NN.F and Linear): forward and gradients
# ----------------------------------------------------------------------------

import torch.nn.functional as F

for s in [(8,), (4, 3), (2, 3, 5)]:
    add_case("l1_loss", f"l1_loss_{sh(s)}", {}, [randn(*s), randn(*s)], lambda x, t: F.l1_loss(x, t))
    add_case("mse_loss", f"mse_loss_{sh(s)}", {}, [randn(*s), randn(*s)], lambda x, t: F.mse_loss(x, t))
    add_case("bce", f"bce_{sh(s)}", {}, [torch.rand(s) * 0.98 + 0.01, torch.rand(s)],
             lambda p, t: F.binary_cross_entropy(p, t))
    add_case("bce_logits", f"bce_logits_{sh(s)}", {}, [randn(*s) * 3, torch.rand(s)],
             lambda x, t: F.binary_cross_entropy_with_logits(x, t))
# large logits: the stable formulation must not overflow
add_case("bce_logits", "bce_logits_large_6", {}, [torch.tensor([-120.0, -30.0, -1.0, 0.0, 40.0, 150.0]), torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 1.0])],
         lambda x, t: F.binary_cross_entropy_with_logits(x, t))
for n, c in [(1, 2), (5, 3), (8, 10)]:
    add_case("cross_entropy", f"cross_entropy_{n}x{c}", {}, [randn(n, c) * 2, torch.randint(0, c, (n,))],
             lambda x, t: F.cross_entropy(x, t))
    add_case("nll_loss", f"nll_loss_{n}x{c}", {}, [torch.log_softmax(randn(n, c), 1), torch.randint(0, c, (n,))],
             lambda x, t: F.nll_loss(x, t))
add_case("cross_entropy", "cross_entropy_large_3x4", {}, [torch.tensor([[1000.0, 0.0, -1000.0, 5.0], [-50.0, 60.0, 70.0, 80.0], [0.0, 0.0, 0.0, 0.0]]), torch.tensor([2, 0, 3])],
         lambda x, t: F.cross_entropy(x, t))
for (n, i, o, bias) in [(4, 3, 2, True), (6, 5, 1, True), (3, 4, 7, False)]:
    args = [randn(n, i), randn(o, i)] + ([randn(o)] if bias else [])
    add_case("linear", f"linear_{n}x{i}_to_{o}{'' if bias else '_nobias'}", {}, args,
             lambda x, w, b=None: F.linear(x, w, b))

# ----------------------------------------------------------------------------
# Write + self-check
# ----------------------------------------------------------------------------

doc = {"torch_version": torch.__version__, "cases": CASES}
with open(OUT_PATH, "w") as f:
    json.dump(doc, f, separators=(",", ":"), allow_nan=False)
    f.write("\n")


def check_tensor(t, where):
    assert set(t.keys()) == {"dtype", "shape", "data"}, where
    assert t["dtype"] in ("float32", "int64", "bool"), where
    n = 1
    for d in t["shape"]:
        n *= d
    assert len(t["data"]) == n, f"{where}: shape {t['shape']} vs {len(t['data'])} values"
    pytype = {"float32": (float, int), "int64": int, "bool": bool}[t["dtype"]]
    for v in t["data"]:
        assert isinstance(v, pytype) and (t["dtype"] == "bool" or not isinstance(v, bool)), where


with open(OUT_PATH) as f:
    loaded = json.load(f)
assert loaded["torch_version"] == torch.__version__
names = set()
for c in loaded["cases"]:
    nm = c["name"]
    for k in ("op", "name", "args", "inputs", "output", "grad_output", "grads"):
        assert k in c, f"{nm}: missing {k}"
    assert nm not in names, f"duplicate {nm}"
    names.add(nm)
    assert isinstance(c["args"], dict)
    for i, t in enumerate(c["inputs"]):
        check_tensor(t, f"{nm}.inputs[{i}]")
    check_tensor(c["output"], f"{nm}.output")
    if "indices" in c:
        check_tensor(c["indices"], f"{nm}.indices")
        assert c["indices"]["dtype"] == "int64"
        assert c["indices"]["shape"] == c["output"]["shape"], nm
    assert len(c["grads"]) == len(c["inputs"]), nm
    if c["grad_output"] is None:
        assert all(g is None for g in c["grads"]), nm
    else:
        check_tensor(c["grad_output"], f"{nm}.grad_output")
        assert c["grad_output"]["shape"] == c["output"]["shape"], nm
        for i, (g, x) in enumerate(zip(c["grads"], c["inputs"])):
            if x["dtype"] == "float32":
                assert g is not None, f"{nm}: missing grad {i}"
                check_tensor(g, f"{nm}.grads[{i}]")
                assert g["shape"] == x["shape"], f"{nm}: grad {i} shape"
            else:
                assert g is None, f"{nm}: grad for non-float input {i}"

counts = Counter(c["op"] for c in loaded["cases"])
for op, n in counts.items():
    print(f"{op:14s} {n}")
print(f"total cases: {len(loaded['cases'])}, ops: {len(counts)}, "
      f"file: {OUT_PATH} ({OUT_PATH.stat().st_size} bytes)")
