"""Check ONNX models exported by SharpGrad (``OnnxExport.Save``) against the official ONNX checker.

Each argument is an ONNX file (``.onnx``, or ``.onnx.gz``, decompressed in memory) or a directory, searched
recursively for both. Every model goes through ``onnx.checker.check_model(model, full_check=True)`` (which also runs
strict shape inference); the script prints ``ok <path> opset N, K nodes`` or the checker's error for each, and exits
non-zero if any failed or none were found.
Run: ``/usr/bin/python3 tests/reference/check_onnx_export.py PATH...`` (Debian's python3-onnx).
Every model the export tests build is kept when they run with ``SHARPGRAD_ONNX_DUMP=FOLDER``:

    mkdir -p /tmp/onnx && SHARPGRAD_ONNX_DUMP=/tmp/onnx dotnet test tests/SharpGrad.Tests -c Release \
        --filter FullyQualifiedName~OnnxExportTests && /usr/bin/python3 tests/reference/check_onnx_export.py /tmp/onnx
"""
import gzip
import os
import sys

import onnx


def model_files(args):
    for arg in args:
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(".onnx") or name.endswith(".onnx.gz"):
                        yield os.path.join(root, name)
        else:
            yield arg


def check(path):
    """Returns None when the model passes, else the error message."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".gz"):
            data = gzip.decompress(data)
        model = onnx.load_from_string(data)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker's ValidationError, a shape-inference error, an unreadable file
        return f"{type(e).__name__}: {e}".strip()
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    print(f"ok {path} opset {opset}, {len(model.graph.node)} nodes")
    return None


def main(args):
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed, count = 0, 0
    for path in model_files(args):
        count += 1
        error = check(path)
        if error is not None:
            failed += 1
            print(f"FAILED {path}")
            print("\n".join("  " + line for line in error.splitlines()))
    if count == 0:
        print("no .onnx files found", file=sys.stderr)
        return 2
    print(f"{count - failed} of {count} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
