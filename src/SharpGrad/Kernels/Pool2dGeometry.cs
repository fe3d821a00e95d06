namespace SharpGrad.Kernels;

/// <summary>
/// The sizes of one 2-D max or average pooling (dilation 1, ceil_mode false): P = N·C planes of H×W pooled by
/// KH×KW windows every StrideH/StrideW pixels after PadH/PadW pixels of padding, into OH×OW with
/// OH = floor((H + 2·PadH - KH) / StrideH) + 1 (PyTorch's formula).
/// </summary>
internal readonly record struct Pool2dGeometry(int Planes, int H, int W, int KH, int KW, int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Output height (≤ 0 when the window is larger than the padded input).</summary>
    public int OH => Conv2dGeometry.OutputSize(H, KH, StrideH, PadH, 1);

    /// <summary>Output width.</summary>
    public int OW => Conv2dGeometry.OutputSize(W, KW, StrideW, PadW, 1);
}
