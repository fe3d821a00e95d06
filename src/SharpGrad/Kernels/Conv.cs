using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// 2-D convolution in NCHW lowered to GEMM: the entry points, their checks, and the choice of lowering. Ungrouped
/// convolutions with 16 or more input channels build one im2col row per output pixel (<see cref="ConvPixelRows"/>,
/// 2-3× faster on resnet18's 7×7 to 2×2 maps); the rest (a stem's few channels, grouped and depthwise convs, large
/// pointwise convs) one row per input channel and tap (<see cref="ConvChannelRows"/>). Backward kernels accumulate
/// (<c>+=</c>) into their outputs unless told to overwrite. <see cref="ConvPlan"/> decides the blocking and the live
/// taps for both; <see cref="ConvReference"/> is the plain loop the tests compare with.
/// </summary>
internal static unsafe class Conv
{
    /// <summary>
    /// Length of the im2col matrix that Forward can hand back for BackwardWeight to reuse
    /// (saving the weight gradient its own im2col), or 0 when this geometry does not lower in one block.
    /// </summary>
    public static long KeptColumnsLength(in Conv2dGeometry s)
    {
        var plan = new ConvPlan(s);
        return plan.OneBlock && s.N > 0 && s.OC > 0 ? plan.ColumnFloats : 0;
    }

    /// <summary>
    /// Length of the reordered weight that Forward can hand back for BackwardInput to reuse (saving it a pass over the
    /// weight, 45 MB for resnet18), or 0 when this geometry's lowering does not use one.
    /// </summary>
    public static long KeptWeightLength(in Conv2dGeometry s)
    {
        var plan = new ConvPlan(s);
        return ConvPixelRows.Supports(plan) && s.N > 0 && s.OC > 0 ? ConvPixelRows.ReorderedWeightLength(plan) : 0;
    }

    // output (N,OC,OH,OW) = conv(input (N,C,H,W), weight (OC,C/g,KH,KW)) + bias (OC) (bias may be empty); overwritten
    // When keptColumns is not empty (KeptColumnsLength(s) floats), the im2col matrix is built there, for BackwardWeight;
    // when keptWeight is not empty (KeptWeightLength(s) floats), the reordered weight, for BackwardInput.
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in Conv2dGeometry s,
        Span<float> keptColumns = default, Span<float> keptWeight = default)
    {
        Check(s, output.Length, (long)s.N * s.OutputImage, "output");
        Check(s, input.Length, (long)s.N * s.InputImage, "input");
        Check(s, weight.Length, s.WeightSize, "weight");
        if (!bias.IsEmpty) Check(s, bias.Length, s.OC, "bias");
        if (!keptColumns.IsEmpty) Check(s, keptColumns.Length, KeptColumnsLength(s), "keptColumns");
        if (!keptWeight.IsEmpty) Check(s, keptWeight.Length, KeptWeightLength(s), "keptWeight");
        fixed (float* po = output, pi = input, pw = weight, pb = bias, pk = keptColumns, pkw = keptWeight)
            Forward(po, pi, pw, bias.IsEmpty ? null : pb, keptColumns.IsEmpty ? null : pk, keptWeight.IsEmpty ? null : pkw, new ConvPlan(s));
    }

    /// <summary>Whether <see cref="ForwardChannelsLast"/> serves this geometry: with the AVX-512 or AVX2 strided kernels, Winograd's stride-1 3×3 convs, the implicit GEMM's convs (every tap live, output rows of 7+ pixels, 16+ channels or kernel rows of 16+ floats) and the pixel-rows lowering's (ungrouped, 16+ channels, not a large pointwise conv).</summary>
    public static bool SupportsChannelsLast(in Conv2dGeometry s) => s.N > 0 && s.OC > 0 && ConvPixelRows.SupportsChannelsLast(new ConvPlan(s));

    // output (N,OH,OW,OC) channels-last = conv(input, weight (OC,C,KH,KW)) + bias (OC) (bias may be empty); input
    // (N,C,H,W), or (N,H,W,C) when inputChannelsLast. Only for geometries SupportsChannelsLast accepts. With an
    // epilogue, an evaluation batch norm (+ residual, ReLU) is applied to each tile as it is finished.
    public static void ForwardChannelsLast(Span<float> output, ReadOnlySpan<float> input, bool inputChannelsLast, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, in Conv2dGeometry s, ConvEpilogue epilogue = default)
    {
        Check(s, output.Length, (long)s.N * s.OutputImage, "output");
        Check(s, input.Length, (long)s.N * s.InputImage, "input");
        Check(s, weight.Length, s.WeightSize, "weight");
        if (!bias.IsEmpty) Check(s, bias.Length, s.OC, "bias");
        var plan = new ConvPlan(s);
        if (!ConvPixelRows.SupportsChannelsLast(plan)) throw new ArgumentException($"Conv: no channels-last forward for the geometry {s}.");
        fixed (float* po = output, pi = input, pw = weight, pb = bias)
            ConvPixelRows.ForwardChannelsLast(po, pi, inputChannelsLast, pw, bias.IsEmpty ? null : pb, plan, epilogue);
    }

    // dinput (N,C,H,W) += conv_transpose(dout (N,OC,OH,OW), weight (OC,C/g,KH,KW)); = instead of += unless accumulate.
    // keptWeight: what Forward kept for this weight, or empty.
    public static void BackwardInput(Span<float> dinput, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in Conv2dGeometry s, bool accumulate = true,
        ReadOnlySpan<float> keptWeight = default)
    {
        Check(s, dinput.Length, (long)s.N * s.InputImage, "dinput");
        Check(s, dout.Length, (long)s.N * s.OutputImage, "dout");
        Check(s, weight.Length, s.WeightSize, "weight");
        if (!keptWeight.IsEmpty) Check(s, keptWeight.Length, KeptWeightLength(s), "keptWeight");
        fixed (float* pdx = dinput, pdy = dout, pw = weight, pkw = keptWeight)
            BackwardInput(pdx, pdy, pw, keptWeight.IsEmpty ? null : pkw, new ConvPlan(s), accumulate);
    }

    // dweight (OC,C/g,KH,KW) += sum over images of dout (OC, OH·OW) · im2col(input)ᵀ (= unless accumulate); keptColumns: Forward's, or empty
    public static void BackwardWeight(Span<float> dweight, ReadOnlySpan<float> dout, ReadOnlySpan<float> input, in Conv2dGeometry s,
        ReadOnlySpan<float> keptColumns = default, bool accumulate = true)
    {
        Check(s, dweight.Length, s.WeightSize, "dweight");
        Check(s, dout.Length, (long)s.N * s.OutputImage, "dout");
        Check(s, input.Length, (long)s.N * s.InputImage, "input");
        if (!keptColumns.IsEmpty) Check(s, keptColumns.Length, KeptColumnsLength(s), "keptColumns");
        fixed (float* pdw = dweight, pdy = dout, pi = input, pk = keptColumns)
            BackwardWeight(pdw, pdy, pi, keptColumns.IsEmpty ? null : pk, new ConvPlan(s), accumulate);
    }

    // dbias (OC) += sum over n, oh, ow of dout (N,OC,OH,OW)
    public static void BackwardBias(Span<float> dbias, ReadOnlySpan<float> dout, in Conv2dGeometry s)
    {
        Check(s, dbias.Length, s.OC, "dbias");
        Check(s, dout.Length, (long)s.N * s.OutputImage, "dout");
        int ohw = s.OH * s.OW;
        for (int oc = 0; oc < s.OC; oc++)
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++) sum += TensorPrimitives.Sum(dout.Slice((n * s.OC + oc) * ohw, ohw));
            dbias[oc] += (float)sum;
        }
    }

    private static void Check(in Conv2dGeometry s, int length, long needed, string name)
    {
        if (s.OH <= 0 || s.OW <= 0 || s.Groups <= 0 || s.C % s.Groups != 0 || s.OC % s.Groups != 0)
            throw new ArgumentException($"Conv: invalid geometry {s}.");
        if (length < needed) throw new ArgumentException($"Conv: {name} has {length} elements, the geometry {s} needs {needed}.");
    }

    /// <summary>The forward pass through the lowering that serves the plan (also the channel-major input gradient's forward conv).</summary>
    internal static void Forward(float* output, float* input, float* weight, float* bias, float* keptColumns, float* keptWeight, ConvPlan p)
    {
        if (p.S.N == 0 || p.S.OC == 0) return;
        if (ConvPixelRows.Supports(p)) ConvPixelRows.Forward(output, input, weight, bias, keptColumns, keptWeight, p);
        else ConvChannelRows.Forward(output, input, weight, bias, keptColumns, p);
    }

    private static void BackwardInput(float* dinput, float* dout, float* weight, float* keptWeight, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        if (s.N == 0) return;
        if (s.OC == 0 || p.K == 0)
        {
            if (!accumulate) new Span<float>(dinput, s.N * s.InputImage).Clear();
            return;
        }
        if (ConvPixelRows.Supports(p)) ConvPixelRows.BackwardInput(dinput, dout, weight, keptWeight, p, accumulate);
        else ConvChannelRows.BackwardInput(dinput, dout, weight, p, accumulate);
    }

    private static void BackwardWeight(float* dweight, float* dout, float* input, float* keptColumns, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        // with no images or no live tap the gradient is zero
        if (!accumulate && (s.N == 0 || p.K == 0)) new Span<float>(dweight, s.WeightSize).Clear();
        if (s.N == 0 || s.OC == 0 || p.K == 0) return;
        if (ConvPixelRows.Supports(p)) ConvPixelRows.BackwardWeight(dweight, dout, input, keptColumns, p, accumulate);
        else ConvChannelRows.BackwardWeight(dweight, dout, input, keptColumns, p, accumulate);
    }
}
