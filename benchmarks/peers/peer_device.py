"""The device option the PyTorch peers share: `--device cuda[:N]` trains on that GPU, else the CPU on two threads."""
import sys

import torch


def from_argv():
    """Removes `--device X` from sys.argv and returns the device: a GPU runs in fp32 (TF32 off for matrix products and
    cuDNN, as SharpGrad's kernels compute); the CPU comparison keeps both sides on this machine's two cores."""
    if "--device" not in sys.argv:
        torch.set_num_threads(2)
        return torch.device("cpu")
    i = sys.argv.index("--device")
    device = torch.device(sys.argv[i + 1])
    del sys.argv[i:i + 2]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return device


def sync(device):
    """Waits for the GPU's queued work, so a pass's time includes it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
