namespace SharpGrad.Kernels;

/// <summary>
/// The sizes of one 2-D convolution in NCHW: input (N,C,H,W), weight (OC,C/groups,KH,KW), output (N,OC,OH,OW) with
/// OH = floor((H + 2·padH - dilH·(KH-1) - 1) / strideH) + 1 and likewise OW (PyTorch's formula).
/// </summary>
internal readonly record struct Conv2dGeometry(
    int N, int C, int H, int W, int OC, int KH, int KW,
    int StrideH, int StrideW, int PadH, int PadW, int DilH, int DilW, int Groups)
{
    /// <summary>Output height (≤ 0 when the dilated kernel is larger than the padded input).</summary>
    public int OH => OutputSize(H, KH, StrideH, PadH, DilH);

    /// <summary>Output width.</summary>
    public int OW => OutputSize(W, KW, StrideW, PadW, DilW);

    /// <summary>Input channels per group.</summary>
    public int Cg => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int OCg => OC / Groups;

    /// <summary>One output channel's fan-in: rows of a group's im2col matrix, Cg·KH·KW.</summary>
    public int Kg => Cg * KH * KW;

    /// <summary>Elements of one input image, C·H·W.</summary>
    public int InputImage => C * H * W;

    /// <summary>Elements of one output image, OC·OH·OW.</summary>
    public int OutputImage => OC * OH * OW;

    /// <summary>Elements of the weight, OC·Cg·KH·KW.</summary>
    public int WeightSize => OC * Kg;

    /// <summary>Multiply-adds of the forward pass (each backward pass does as many): N·OC·OH·OW·Cg·KH·KW.</summary>
    public long MultiplyAdds => (long)N * OC * OH * OW * Kg;

    /// <summary>floor((size + 2·pad - dil·(k-1) - 1) / stride) + 1, floored also for a negative numerator.</summary>
    public static int OutputSize(int size, int kernel, int stride, int pad, int dilation)
    {
        long num = (long)size + 2L * pad - (long)dilation * (kernel - 1) - 1;
        long q = num >= 0 ? num / stride : -((-num + stride - 1) / stride);
        return (int)Math.Clamp(q + 1, int.MinValue, int.MaxValue);
    }
}
