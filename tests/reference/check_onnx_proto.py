"""Check SharpGrad's ONNX schema (src/SharpGrad/IO/Onnx/onnx.proto) against the official onnx.proto.

Every message, field and enum value SharpGrad declares must exist in the official file with the same number and
type. Run: ``/usr/bin/python3 tests/reference/check_onnx_proto.py`` (Debian's python3-onnx ships the official file).
It also writes ``onnx_proto_fields.json`` (the official numbers of the fields SharpGrad declares), which a C# test
reads to check the compiled descriptors, so CI needs no Python.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.join(HERE, "..", "..", "src", "SharpGrad", "IO", "Onnx", "onnx.proto")
OFFICIAL = "/usr/lib/python3/dist-packages/onnx/onnx.proto"


def fields(path):
    out, stack = {}, []
    for raw in open(path):
        line = raw.split("//")[0].strip()
        m = re.match(r"(message|enum)\s+(\w+)\s*\{", line)
        if m:
            stack.append((m.group(1), m.group(2)))
            continue
        if line.startswith("oneof"):
            stack.append(("oneof", ""))
            continue
        if line.rstrip(";") == "}" and stack:
            stack.pop()
            continue
        if not stack:
            continue
        kind = [k for k, _ in stack if k != "oneof"][-1]
        if kind == "message":
            m = re.match(r"(?:optional |repeated )?([\w.]+)\s+(\w+)\s*=\s*(\d+)", line)
            if m:
                msg = ".".join(n for k, n in stack if k == "message")
                out[f"{msg}.{m.group(2)}"] = [int(m.group(3)), m.group(1)]
        else:
            m = re.match(r"(\w+)\s*=\s*(\w+)\s*;", line)
            if m:
                msg = ".".join(n for k, n in stack if k != "oneof")
                out[f"{msg}.{m.group(1)}"] = [int(m.group(2), 0), "enum"]
    return out


def main():
    ours, official = fields(OURS), fields(OFFICIAL)
    bad = [(k, v, official.get(k)) for k, v in sorted(ours.items()) if official.get(k) != v]
    for k, v, o in bad:
        print(f"mismatch: {k}: ours {v}, official {o}")
    with open(os.path.join(HERE, "onnx_proto_fields.json"), "w") as f:
        json.dump({k: official[k] for k in sorted(ours) if k in official}, f, indent=1, sort_keys=True)
    print(f"{len(ours)} declarations checked, {len(bad)} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
