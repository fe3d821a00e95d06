"""PyTorch-exported ONNX models and their goldens, for SharpGrad's ONNX import tests.

Writes into ``tests/reference/onnx/`` (next to this file):

* ``mlp.onnx``: Linear(784, 30) -> ReLU -> Linear(30, 10) (seed 0), opset 17, dynamic batch axis, exported with its
  initial weights. ``mlp_step.safetensors``: ``input`` [4, 784], ``target`` (int64) [4], ``output`` [4, 10] and
  ``loss`` [1] (cross-entropy) of the exported weights, and ``after.<name>``: the parameters after one plain SGD step
  (lr 0.1, no momentum, no weight decay) on that loss.
* ``small_cnn.onnx``: Conv(stride 2) -> BatchNorm -> ReLU -> MaxPool -> Conv -> ReLU -> Flatten -> Linear(784, 10)
  for 1x28x28 inputs (seed 1, BatchNorm statistics and affine set to non-trivial values), eval mode, opset 17,
  dynamic batch axis. The eval-mode export folds the BatchNorm into the first Conv (whose weight and bias get
  generated ``onnx::Conv_*`` names).
  ``small_cnn_io.safetensors``: ``input`` [3, 1, 28, 28] and ``output`` [3, 10].
* ``resnet18.onnx.gz``: torchvision's resnet18 (10 classes) for 3x64x64 inputs, opset 17, dynamic batch axis, gzipped
  (level 9, mtime 0). Its weights are periodic patterns cut from one fixed table of ``PERIOD`` random values, scaled
  per kind of tensor, so the file compresses well and the repository stays small while the network still computes
  something non-degenerate. Exported with TrainingMode.PRESERVE (the model is in eval mode), so the graph keeps its
  BatchNormalization nodes (training_mode 0) and the state-dict names: folding them into the convs would scale each
  output channel differently and break the periodicity (14.7 MB gzipped instead of 0.4 MB).
  ``resnet18_io.safetensors``: ``input`` [2, 3, 64, 64] and ``output`` [2, 10].

All tensors in the safetensors files are float32 unless said otherwise; the files are written by this script (no
safetensors package needed) with sorted names and a ``__metadata__`` entry naming the torch version.
Each .onnx is checked with ``onnx.checker.check_model``, its op-type counts are printed, and its graph is evaluated
with a small numpy interpreter (from the file's own initializers) and compared with the golden output.
Run: ``/usr/bin/python3 tests/reference/generate_onnx.py`` (Debian's python3-torch, python3-torchvision,
python3-onnx). Deterministic; the outputs are committed goldens, so CI needs no Python.
"""
import collections
import gzip
import json
import math
import os
import struct
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "onnx")
OPSET = 17
PERIOD = 1009  # length of the value table the resnet18 weights repeat (a prime, so stride 7 visits all of it)


def write_safetensors(path, tensors):
    """Write ``tensors`` (name -> torch tensor, float32 or int64) in the safetensors format."""
    kinds = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
    header, blobs, offset = {"__metadata__": {"torch_version": torch.__version__}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        dtype, np_dtype = kinds[t.dtype]
        data = t.numpy().astype(np_dtype, copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for data in blobs:
            f.write(data)


def export(model, sample, path, keep_batchnorm=False):
    """Opset 17, dynamic batch axis. The default (eval-mode export) folds each BatchNorm into the Conv before it, under
    generated initializer names; ``keep_batchnorm`` exports the eval-mode model as it is (TrainingMode.PRESERVE), so
    BatchNormalization nodes (training_mode 0) and the state-dict names stay."""
    extra = {"training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False} if keep_batchnorm else \
        {"do_constant_folding": True}
    torch.onnx.export(model, sample, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **extra)


def run_numpy(model_proto, x):
    """Evaluate the exported graph with numpy from its own initializers: checks that the file matches the goldens."""
    env = {init.name: onnx.numpy_helper.to_array(init) for init in model_proto.graph.initializer}
    env[model_proto.graph.input[0].name] = x.numpy()

    def windows(a, kernel, strides, pads, fill):  # yields (i, j, strided view) over a padded NCHW array
        (kh, kw), (sh, sw), (t, l, b, r) = kernel, strides, pads
        a = np.pad(a, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=fill)
        oh, ow = (a.shape[2] - kh) // sh + 1, (a.shape[3] - kw) // sw + 1
        for i in range(kh):
            for j in range(kw):
                yield i, j, a[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]

    for node in model_proto.graph.node:
        a = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
        ins = [env[name] for name in node.input]
        op = node.op_type
        if op == "Gemm":
            assert a.get("transA", 0) == 0 and a.get("transB", 0) == 1, a
            y = a.get("alpha", 1.0) * ins[0] @ ins[1].T + a.get("beta", 1.0) * ins[2]
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "Flatten":
            y = ins[0].reshape(int(np.prod(ins[0].shape[:a.get("axis", 1)])), -1)
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "BatchNormalization":
            assert a.get("training_mode", 0) == 0, a
            scale, bias, mean, var = (v[None, :, None, None] for v in ins[1:5])
            y = (ins[0] - mean) / np.sqrt(var + a["epsilon"]) * scale + bias
        elif op == "Conv":
            assert a.get("group", 1) == 1 and a.get("dilations", [1, 1]) == [1, 1], a
            w = ins[1]
            y = sum(np.einsum("nchw,oc->nohw", v, w[:, :, i, j])
                    for i, j, v in windows(ins[0], w.shape[2:], a["strides"], a["pads"], 0.0))
            if len(ins) > 2:
                y = y + ins[2][None, :, None, None]
        elif op == "MaxPool":
            assert a.get("ceil_mode", 0) == 0 and a.get("dilations", [1, 1]) == [1, 1], a
            y = np.max([v for _, _, v in windows(ins[0], a["kernel_shape"], a["strides"], a["pads"], -np.inf)], axis=0)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y.astype(np.float32)
    return torch.from_numpy(env[model_proto.graph.output[0].name])


def check_against_numpy(name, model_proto, x, out):
    got = run_numpy(model_proto, x)
    err = (got - out).abs().max().item() / max(out.abs().max().item(), 1.0)
    assert err < 1e-4, f"{name}: the ONNX graph evaluated with numpy differs from torch (relative error {err})"
    print(f"  numpy evaluation of the ONNX graph matches torch (max error {err:.1e} of max |output|)")


def describe(name, model_proto):
    onnx.checker.check_model(model_proto)
    graph = model_proto.graph
    counts = collections.Counter(node.op_type for node in graph.node)
    inits = [init.name for init in graph.initializer]
    print(f"{name}: valid, opset {model_proto.opset_import[0].version}, {len(graph.node)} nodes,"
          f" {len(inits)} initializers")
    print("  op types:", dict(sorted(counts.items())))
    print("  initializers:", inits if len(inits) <= 12 else inits[:10] + [f"... ({len(inits)} in all)"])
    return counts, inits


def size(path):
    return f"{os.path.getsize(path):,} bytes"


def mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 10)).eval()
    g = torch.Generator().manual_seed(100)
    x = torch.rand(4, 784, generator=g)
    target = torch.tensor([3, 1, 4, 1], dtype=torch.int64)
    path = os.path.join(OUT, "mlp.onnx")
    export(model, x, path)  # before the step: the file holds the initial weights
    proto = onnx.load(path)
    _, inits = describe("mlp.onnx", proto)
    assert sorted(inits) == ["0.bias", "0.weight", "2.bias", "2.weight"], inits

    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    out = model(x)
    loss = F.cross_entropy(out, target)
    loss.backward()
    golden = {"input": x, "target": target, "output": out.detach().clone(), "loss": loss.detach().reshape(1)}
    opt.step()
    for name, p in model.named_parameters():
        golden["after." + name] = p.detach().clone()
    check_against_numpy("mlp.onnx", proto, x, golden["output"])
    write_safetensors(os.path.join(OUT, "mlp_step.safetensors"), golden)
    print(f"  loss {loss.item():.6f}")


def small_cnn():
    torch.manual_seed(1)
    # 28x28 -> 14x14 (conv, stride 2) -> 7x7 (pool) -> 7x7 (conv), so the Linear takes 16 * 7 * 7 features
    model = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    bn = model[1]
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(8) * 0.3)
        bn.running_var.copy_(torch.rand(8) + 0.5)
        bn.weight.copy_(torch.rand(8) + 0.5)
        bn.bias.copy_(torch.randn(8) * 0.3)
    model.eval()
    g = torch.Generator().manual_seed(101)
    x = torch.rand(3, 1, 28, 28, generator=g)
    path = os.path.join(OUT, "small_cnn.onnx")
    export(model, x, path)
    proto = onnx.load(path)
    describe("small_cnn.onnx", proto)
    with torch.no_grad():
        out = model(x)
    check_against_numpy("small_cnn.onnx", proto, x, out)
    write_safetensors(os.path.join(OUT, "small_cnn_io.safetensors"), {"input": x, "output": out})


def fill_resnet(model):
    """Overwrite every parameter and buffer with a scaled periodic pattern cut from one fixed random table."""
    table = torch.randn(PERIOD, generator=torch.Generator().manual_seed(2024))
    linear_names = {name + suffix for name, m in model.named_modules() if isinstance(m, nn.Linear)
                    for suffix in (".weight", ".bias")}
    bn_names = {name for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)}
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict().items()):  # k counts every state-dict entry
            if name.endswith("num_batches_tracked"):
                continue
            pattern = table[(torch.arange(t.numel()) * 7 + k) % PERIOD].reshape(t.shape)
            owner, kind = name.rsplit(".", 1)
            if owner in bn_names:
                value = {"weight": 1 + 0.1 * pattern, "bias": 0.1 * pattern, "running_mean": 0.1 * pattern,
                         "running_var": 1 + 0.5 * pattern.abs()}[kind]
            elif name in linear_names and kind == "bias":
                value = 0.1 * pattern
            elif kind == "weight":  # conv or linear weight: fan_in = numel / out_features
                value = pattern * (1.4 / math.sqrt(t.numel() // t.shape[0]))
            else:
                raise ValueError(f"unexpected tensor {name}")
            t.copy_(value)


def resnet18():
    model = torchvision.models.resnet18(weights=None, num_classes=10)
    fill_resnet(model)
    model.eval()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "resnet18.onnx")
        # Kept unfolded: folding scales each output channel of a conv differently, which breaks the periodicity
        # (gzipped 14.7 MB instead of 0.4 MB), and a shorter period makes the network blow up.
        export(model, torch.zeros(1, 3, 64, 64), raw, keep_batchnorm=True)
        with open(raw, "rb") as f:
            data = f.read()
    proto = onnx.load_from_string(data)
    describe("resnet18.onnx", proto)
    path = os.path.join(OUT, "resnet18.onnx.gz")
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="resnet18.onnx", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(data)
    print(f"  raw {len(data):,} bytes, gzipped {size(path)}")

    g = torch.Generator().manual_seed(102)
    x = torch.rand(2, 3, 64, 64, generator=g)
    with torch.no_grad():
        out = model(x)
    assert not torch.isnan(out).any(), "resnet18 output has NaN"
    assert out.std().item() > 1e-2, f"resnet18 output is degenerate (std {out.std().item()})"
    assert (out[0] - out[1]).abs().max().item() > 1e-3, "resnet18 output does not depend on the input"
    print(f"  output range [{out.min().item():.4f}, {out.max().item():.4f}], std {out.std().item():.4f},"
          f" max |out[0] - out[1]| {(out[0] - out[1]).abs().max().item():.4f}")
    check_against_numpy("resnet18.onnx", proto, x, out)
    write_safetensors(os.path.join(OUT, "resnet18_io.safetensors"), {"input": x, "output": out})


def main():
    os.makedirs(OUT, exist_ok=True)
    mlp()
    small_cnn()
    resnet18()
    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {size(os.path.join(OUT, name))}")


if __name__ == "__main__":
    main()
