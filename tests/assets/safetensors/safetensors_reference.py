#!/usr/bin/python3
"""An independent safetensors reader and writer, written from the format's specification, and the reference files
that SharpGrad's C# implementation (SharpGrad.IO.SafeTensors) is tested against.

Why: Hugging Face's `safetensors` package is not installable here (no Debian package, no PyPI), so this script
implements the format itself with json + struct + torch, following the spec and the official library's writing
rules:
  * 8 bytes: N, the header length, unsigned 64-bit little-endian;
  * N bytes: the header, UTF-8 JSON without extra whitespace (separators ',' and ':', non-ASCII written as is),
    padded with trailing spaces to a multiple of 8 bytes;
    {"__metadata__": {str: str}, NAME: {"dtype": "F32", "shape": [..], "data_offsets": [BEGIN, END]}, ...}
    with "__metadata__" (when given) first, then the tensors in data order;
  * the data: each tensor's elements, row-major, little-endian, back to back, with no gap or overlap.
  The official writer orders the tensors by dtype alignment, largest first (the order of its Dtype enum, reversed:
  U64, I64, F64, F32, ..., U8, BOOL), then by name (byte-wise on the UTF-8). Its metadata map has no defined order;
  this writer, like SharpGrad's, sorts the keys byte-wise on their UTF-8.

Run with the system Python (PyTorch 1.13, numpy):

    /usr/bin/python3 safetensors_reference.py              writes the reference files next to this script
    /usr/bin/python3 safetensors_reference.py --roundtrip FILE...
        reads each FILE with the (strict) reader here, writes the tensors and metadata it holds again with the writer
        here and checks that the bytes are identical: that FILE is exactly what this writer makes of its contents.

Deterministic (torch.manual_seed(0)); the files it writes:
  linear_784x30.safetensors  the state dict of nn.Sequential(nn.Linear(784, 30)): "0.weight" [30, 784], "0.bias" [30]
                             (float32), with metadata {"format": "pt"}
  mixed.safetensors          every dtype SharpGrad reads (F32, I64, BOOL, U8), a 0-d tensor, an empty [0, 3] tensor,
                             special floats (NaN, infinities, -0, a denormal), a uint8 tensor written from a permuted
                             (non-contiguous) torch view, names needing JSON escapes and byte-wise sorting, and
                             metadata with quotes, control characters and non-ASCII text
  half.safetensors           an F16 tensor beside an F32 one (a dtype SharpGrad does not read)
  expected.json              for each file: "metadata" (or null), "order" (tensor names in data order) and per tensor
                             "dtype", "shape", "sha256" (of the little-endian element bytes as numpy's tobytes() gives
                             them, independently of the file) and either "values" (all elements, row-major: float32 as
                             their IEEE-754 bit patterns, so NaN and -0 are exact; int64 and uint8 as integers; bool as
                             true/false) or, for large tensors, "samples" ({flat index: value} in the same encoding)
"""
import hashlib
import json
import os
import re
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# The official Dtype enum, in its order (increasing alignment); the writer sorts by this order reversed.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]
SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
         "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
TO_TORCH = {"BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16, "F16": torch.float16,
            "BF16": torch.bfloat16, "I32": torch.int32, "F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
FROM_TORCH = {v: k for k, v in TO_TORCH.items()}
MAX_HEADER = 100_000_000


def tensor_bytes(t):
    """The elements of t, row-major, little-endian (numpy's tobytes on this little-endian machine)."""
    assert sys.byteorder == "little"
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def utf8(s):
    return s.encode("utf-8")


def serialize(tensors, metadata=None):
    """The safetensors bytes of {name: torch.Tensor} and optional {str: str} metadata."""
    if metadata is not None:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("metadata must map str to str")
    items = []
    for name, t in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        items.append((name, FROM_TORCH[t.dtype], t))
    items.sort(key=lambda item: (-DTYPE_ORDER.index(item[1]), utf8(item[0])))
    header = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=utf8)}
    blobs = []
    offset = 0
    for name, dtype, t in items:
        blob = tensor_bytes(t)
        assert len(blob) == t.numel() * SIZES[dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = utf8(json.dumps(header, separators=(",", ":"), ensure_ascii=False))
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_file(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(serialize(tensors, metadata))


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {k!r}")
        d[k] = v
    return d


def _uint(x, what):
    if not isinstance(x, int) or isinstance(x, bool) or x < 0:
        raise ValueError(f"{what}: {x!r} is not a non-negative integer")
    return x


def deserialize(buf):
    """(tensors {name: torch.Tensor} in data order, metadata or None) from safetensors bytes; strict."""
    if len(buf) < 8:
        raise ValueError("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER:
        raise ValueError(f"header length {n} is too large")
    if 8 + n > len(buf):
        raise ValueError(f"header length {n} runs past the end of the {len(buf)}-byte file")
    raw = buf[8:8 + n]
    if raw[:1] != b"{":
        raise ValueError("header does not start with '{'")
    header = json.loads(raw.decode("utf-8", errors="strict"), object_pairs_hook=_no_duplicates)
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            raise ValueError("__metadata__ must map strings to strings")
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
            raise ValueError(f"{name}: needs dtype, shape and data_offsets")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in SIZES:
            raise ValueError(f"{name}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not isinstance(offsets, list) or len(offsets) != 2:
            raise ValueError(f"{name}: bad shape or data_offsets")
        shape = [_uint(d, name) for d in shape]
        begin, end = (_uint(o, name) for o in offsets)
        numel = 1
        for d in shape:
            numel *= d
        if end < begin or end - begin != numel * SIZES[dtype]:
            raise ValueError(f"{name}: data_offsets {offsets} do not match {dtype} {shape}")
        entries.append((begin, end, name, dtype, shape))
    entries.sort()
    cursor = 0
    for begin, end, name, _, _ in entries:
        if begin != cursor:
            raise ValueError(f"{name}: data at {begin}, expected {cursor} (gap or overlap)")
        cursor = end
    if 8 + n + cursor != len(buf):
        raise ValueError(f"the tensors cover {8 + n + cursor} bytes, the file has {len(buf)}")
    data = buf[8 + n:]
    tensors = {}
    for begin, end, name, dtype, shape in entries:
        if dtype not in TO_TORCH:
            raise ValueError(f"{name}: dtype {dtype} has no torch equivalent here")
        if end == begin:
            tensors[name] = torch.empty(shape, dtype=TO_TORCH[dtype])
        else:
            flat = torch.frombuffer(bytearray(data[begin:end]), dtype=TO_TORCH[dtype])
            tensors[name] = flat.reshape(shape)
    return tensors, metadata


def read_file(path):
    with open(path, "rb") as f:
        return deserialize(f.read())


def encode_value(dtype, x):
    """One element as expected.json stores it."""
    if dtype == "F32":
        return struct.unpack("<I", struct.pack("<f", x))[0]
    if dtype == "BOOL":
        return bool(x)
    return int(x)


def describe(tensors, metadata, full_limit=64):
    order = list(tensors)
    out = {"metadata": metadata, "order": order, "tensors": {}}
    for name, t in tensors.items():
        dtype = FROM_TORCH[t.dtype]
        entry = {"dtype": dtype, "shape": list(t.shape), "sha256": hashlib.sha256(tensor_bytes(t)).hexdigest()}
        flat = t.detach().contiguous().reshape(-1).tolist()
        if dtype in ("F32", "I64", "BOOL", "U8"):
            if len(flat) <= full_limit:
                entry["values"] = [encode_value(dtype, x) for x in flat]
            else:
                n = len(flat)
                idx = sorted({0, 1, 2, 3, 4, n // 3, n // 2, n - 5, n - 4, n - 3, n - 2, n - 1, 783, 784, 12345})
                entry["samples"] = {str(i): encode_value(dtype, flat[i]) for i in idx if 0 <= i < n}
        out["tensors"][name] = entry
    return out


def reference_tensors():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 30))
    linear = {k: v.detach().clone() for k, v in model.state_dict().items()}

    pixels = (torch.arange(24, dtype=torch.int64) * 37 % 256).to(torch.uint8).reshape(4, 3, 2).permute(2, 1, 0)
    assert not pixels.is_contiguous()
    mixed = {
        "scale": torch.tensor(0.1, dtype=torch.float32),
        "empty": torch.zeros(0, 3),
        "special": torch.tensor([float("nan"), float("inf"), float("-inf"), -0.0, 1e-45, 3.4028234663852886e38,
                                 -1.5, 0.333333343267]),
        "labels": torch.tensor([0, 1, -1, 2 ** 40, -2 ** 63, 2 ** 63 - 1, 7], dtype=torch.int64),
        "step": torch.tensor(12345678901, dtype=torch.int64),
        "mask": torch.rand(3, 4) > 0.5,
        "pixels": pixels,
        "B": torch.ones(2, dtype=torch.uint8),
        "a": torch.tensor([True]),
        "\u00e9t\u00e9": torch.tensor([2.5]),
        "layer \"q\"\\k\n": torch.tensor([-7], dtype=torch.int64),
    }
    mixed_meta = {"format": "pt", "description": "fastbook ch. 4 \"SharpGrad\" \u2014 \u00fcn\u00efc\u00f6d\u00e9 \u2713",
                  "control": "tab\there\nnewline\r\u0001\u001f\\ / \u007f", "epoch": "3", "empty": ""}

    half = {"h": torch.tensor([1.0, -2.0], dtype=torch.float16), "f": torch.tensor([3.0, 4.0])}
    return [("linear_784x30.safetensors", linear, {"format": "pt"}),
            ("mixed.safetensors", mixed, mixed_meta),
            ("half.safetensors", half, None)]


def generate():
    expected = {"torch_version": torch.__version__, "files": {}}
    for file, tensors, metadata in reference_tensors():
        path = os.path.join(HERE, file)
        write_file(path, tensors, metadata)
        back, back_meta = read_file(path)
        assert back_meta == metadata
        assert set(back) == set(tensors)
        for name, t in tensors.items():
            assert back[name].dtype == t.dtype and back[name].shape == t.shape
            assert tensor_bytes(back[name]) == tensor_bytes(t), name
        with open(path, "rb") as f:
            assert serialize(back, back_meta) == f.read()
        expected["files"][file] = describe(back, back_meta)
    text = json.dumps(expected, indent=1, ensure_ascii=False)
    # Lists and maps of scalars on one line each, to keep the file small and readable.
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    text = re.sub(r"\{\s+([^\[\]{}]*?)\s+\}", lambda m: "{" + re.sub(r",\s+", ", ", m.group(1)) + "}", text)
    assert json.loads(text) == expected
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    total = sum(os.path.getsize(os.path.join(HERE, p)) for p in os.listdir(HERE) if p != os.path.basename(__file__))
    print(f"wrote {len(expected['files'])} files and expected.json ({total} bytes in all)")


def roundtrip(paths):
    failed = 0
    for path in paths:
        with open(path, "rb") as f:
            original = f.read()
        try:
            tensors, metadata = deserialize(original)
            again = serialize(tensors, metadata)
        except Exception as e:  # report and go on to the next file
            print(f"FAIL {path}: {e}")
            failed += 1
            continue
        if again != original:
            print(f"FAIL {path}: the reference writer makes {len(again)} different bytes of its contents")
            failed += 1
        else:
            kinds = ", ".join(f"{k} {FROM_TORCH[v.dtype]} {list(v.shape)}" for k, v in list(tensors.items())[:4])
            print(f"ok   {path}: {len(tensors)} tensors ({kinds}{', ...' if len(tensors) > 4 else ''}),"
                  f" metadata {'none' if metadata is None else len(metadata)}")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--roundtrip":
        sys.exit(roundtrip(sys.argv[2:]))
    generate()
