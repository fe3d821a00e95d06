#!/usr/bin/env bash
# Issue 16's checks on a GPU, in two halves, for a GPU machine that has no .NET SDK (and no network):
#
#   bash .ci/gpu-check.sh prepare   here, with the SDK: publishes the test assembly and the benchmarks self-contained
#                                   for linux-x64 into one folder (one runtime for both), packs it and mnist-sample
#                                   into artifacts/gpu/ (git-ignored; about 30 MB: carry it to the GPU machine).
#   bash .ci/gpu-check.sh run [STEP...]
#                                   there: unpacks, runs the Device tests on cuda:0 (SharpGrad.Tests --device-tests),
#                                   then the benchmarks with --device=cuda beside PyTorch on the same GPU: gpu-gemm,
#                                   train-mlp, train-resnet18 (the steps; all by default). Logs and JSON rows go to
#                                   $OUT (else artifacts/gpu/out). The limits add up to 8 minutes, inside one call.
#
# The run half prints what it does as it goes; each step has its own time limit, so one slow step still leaves the
# others' results. PyTorch with CUDA must be importable by $SHARPGRAD_PEER_PYTHON (default: python3 on the PATH).
set -uo pipefail
cd "$(dirname "$0")/.."
gpu=artifacts/gpu

case "${1:-}" in
prepare)
  rm -rf "$gpu" && mkdir -p "$gpu/app" || exit 1
  for project in tests/SharpGrad.Tests benchmarks/SharpGrad.Benchmarks; do
    dotnet publish "$project" -c Release -r linux-x64 --self-contained -o "$gpu/app" -p:DebugType=none -p:GenerateDocumentationFile=false \
      -nologo -v quiet || exit 1
  done
  # Natives the GPU steps never load (ONNX Runtime for the onnx suite and the ONNX tests, Skia for plots, the
  # debugger's): dropped so the carry stays well under the device tool's 64 MiB with the repository beside it.
  rm -f "$gpu"/app/*onnxruntime* "$gpu"/app/libSkiaSharp.so "$gpu"/app/libHarfBuzzSharp.so "$gpu"/app/libmscordaccore.so \
    "$gpu"/app/libmscordbi.so "$gpu"/app/createdump
  tar -C "$gpu" -cf - app | xz -T2 -6 >"$gpu/app.tar.xz" || exit 1
  sample=$(dotnet run --project src/SharpGrad.Cli -c Release -- datasets get mnist-sample | tail -1) || exit 1
  tar -C "$(dirname "$sample")" -czf "$gpu/mnist-sample.tar.gz" "$(basename "$sample")" || exit 1
  rm -rf "$gpu/app"
  du -ch "$gpu"/* | tail -1
  echo "carry artifacts/gpu and run: bash .ci/gpu-check.sh run"
  ;;
run)
  out="${OUT:-$gpu/out}"
  mkdir -p "$out" /tmp/sharpgrad-gpu/data || exit 1
  tar -C /tmp/sharpgrad-gpu -xJf "$gpu/app.tar.xz" || exit 1
  tar -C /tmp/sharpgrad-gpu/data -xzf "$gpu/mnist-sample.tar.gz" || exit 1
  export SHARPGRAD_DATA=/tmp/sharpgrad-gpu/data SHARPGRAD_PEER_PYTHON="${SHARPGRAD_PEER_PYTHON:-python3}" DOTNET_CLI_TELEMETRY_OPTOUT=1
  # The benchmarks find the repository (for benchmarks/peers) by walking up from their binary.
  app="$PWD/$gpu/app"
  rm -rf "$app" && mv /tmp/sharpgrad-gpu/app "$app" || exit 1
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
  status=0
  step() { # $1: name, $2: seconds, rest: command
    local name=$1 limit=$2; shift 2
    echo "== $name"
    timeout "$limit" "$@" >"$out/$name.log" 2>&1
    local rc=$?
    tail -n 40 "$out/$name.log"
    echo "== $name: exit $rc"
    [ "$rc" -eq 0 ] || status=1
  }
  shift
  steps=("$@")
  [ ${#steps[@]} -gt 0 ] || steps=(device-tests gpu-gemm train-mlp train-resnet18)
  for s in "${steps[@]}"; do
    case "$s" in
    device-tests) step device-tests 120 "$app/SharpGrad.Tests" --device-tests ;;
    gpu-gemm) step gpu-gemm 60 "$app/SharpGrad.Benchmarks" gpu-gemm --device=cuda --json ;;
    train-mlp) step train-mlp 120 "$app/SharpGrad.Benchmarks" train-mlp --device=cuda --json ;;
    train-resnet18) step train-resnet18 180 "$app/SharpGrad.Benchmarks" train-resnet18 --device=cuda --json ;;
    *) echo "unknown step $s (device-tests, gpu-gemm, train-mlp, train-resnet18)" >&2; exit 2 ;;
    esac
  done
  exit $status
  ;;
*)
  echo "usage: bash .ci/gpu-check.sh prepare|run" >&2
  exit 2
  ;;
esac
