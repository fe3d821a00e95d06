namespace SharpGrad.Kernels;

/// <summary>
/// The channels-last inference forward of a conv with only a few output pixels in the whole call (one small image's
/// last layers: a 28x28 input's 2x2 and 1x1 maps): each output channel is the dot products of its weight row, read
/// once where it lies as (C·KH·KW) floats, with the pixels' im2col rows built in the same (channel, tap) order, the
/// padding as zeros. The other paths pack the weight into the micro-kernel's panels first, which reads and writes all
/// of it again for a GEMM of one to eight rows; at 28x28 batch 1 that packing was most of a resnet18 forward, whose
/// layer3 and layer4 weights (9 of its 11M) serve 1-4 pixels each.
/// </summary>
internal static unsafe class ConvFewPixels
{
    /// <summary>
    /// Most output pixels (images × OH × OW) this path takes. Beyond a few pixels the packed paths' register tiles win:
    /// on Zen 3 with 16, resnet18 at 28x28 batch 1 took 3.6-3.7 ms against 2.6-2.7 (its 4x4 layer2 maps went here), and
    /// with 64 at 224x224 batch 1 32-33 ms against 25 (its 7x7 layer4 maps).
    /// </summary>
    public const int MaxPixels = 8;

    /// <summary>Output channels per piece of work split over the cores (about 1 MB of weight rows at 512 channels and 3x3).</summary>
    private const int WorkFloats = 1 << 18;

    /// <summary>Whether this path serves the plan: a conv the channels-last pixel-rows paths take, with at most <see cref="MaxPixels"/> outputs.</summary>
    public static bool Supports(ConvPlan p) =>
        ConvPixelRows.Supports(p) && StridedKernel.Available && (long)p.S.N * p.OH * p.OW <= MaxPixels;

    /// <summary>
    /// output (N, OH, OW, OC) channels-last = conv(input, weight (OC, C, KH, KW)) + bias (may be null), then the
    /// epilogue if active; input (N, H, W, C) when <paramref name="inputChannelsLast"/>, else (N, C, H, W).
    /// </summary>
    public static void Forward(float* output, float* input, bool inputChannelsLast, float* weight, float* bias, ConvPlan p, ConvEpilogue epilogue)
    {
        Conv2dGeometry s = p.S;
        int taps = s.KH * s.KW, k = s.C * taps, pixels = s.N * p.OH * p.OW, oc = s.OC;
        using var rows = new Scratch((long)pixels * k);
        float* r = rows.Pointer;
        BuildRows(r, input, inputChannelsLast, p);
        Parallelism.For(oc, Math.Max(1, WorkFloats / k), 1, (o0, o1) =>
        {
            float* sums = stackalloc float[4];
            for (int o = o0; o < o1; o++)
            {
                float* w = weight + (long)o * k;
                float add = bias == null ? 0f : bias[o];
                for (int q0 = 0; q0 < pixels; q0 += 4)
                {
                    int count = Math.Min(4, pixels - q0);
                    FloatRow.Dots(w, r + (long)q0 * k, k, count, k, sums);
                    for (int q = 0; q < count; q++) output[(long)(q0 + q) * oc + o] = sums[q] + add;
                }
            }
        });
        if (epilogue.IsActive) epilogue.Apply(output, 0, pixels, oc, 0, oc);
    }

    /// <summary>rows[q][ch·taps + t] = the input under tap t of output pixel q, channel ch (0 in the padding).</summary>
    private static void BuildRows(float* rows, float* x, bool channelsLast, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int taps = s.KH * s.KW, k = s.C * taps;
        for (int n = 0, q = 0; n < s.N; n++)
            for (int oh = 0; oh < p.OH; oh++)
                for (int ow = 0; ow < p.OW; ow++, q++)
                {
                    float* row = rows + (long)q * k;
                    for (int t = 0; t < taps; t++)
                    {
                        int ih = oh * s.StrideH + t / s.KW * s.DilH - s.PadH, iw = ow * s.StrideW + t % s.KW * s.DilW - s.PadW;
                        bool inside = (uint)ih < (uint)s.H && (uint)iw < (uint)s.W;
                        for (int ch = 0; ch < s.C; ch++)
                            row[ch * taps + t] = !inside ? 0f
                                : channelsLast ? x[(((long)n * s.H + ih) * s.W + iw) * s.C + ch]
                                : x[(((long)n * s.C + ch) * s.H + ih) * s.W + iw];
                    }
                }
    }
}
