using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// im2col and col2im for one (image, channel) plane when output rows are at most 16 wide and the horizontal stride is
/// 1 or 2 (every convolution of a resnet on 28×28 to 64×64 images): each output row is one masked AVX-512 load (two
/// and a lane shuffle for stride 2) and one masked store, with the masks for a kernel column worked out once. Masked
/// lanes are never read, so a row that starts in the padding needs no bounds arithmetic. The general loops in
/// <see cref="ConvChannelRows"/> do the rest.
/// </summary>
internal static unsafe class ConvRows512
{
    /// <summary>Whether these kernels handle the plan's geometry on this CPU.</summary>
    public static bool Supports(ConvPlan p) => Avx512F.IsSupported && p.OW <= 16 && p.S.StrideW is 1 or 2;

    /// <summary>
    /// Writes the im2col rows of planes [p0, p1) (plane = image j · C + channel c): row (c, live tap), columns from
    /// j·OH·OW. The tap loop is outermost so its masks are made once for the whole range.
    /// </summary>
    public static void Im2ColPlanes(float* col, float* x, int p0, int p1, int b, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int oh = p.OH, ow = p.OW, ohw = oh * ow, cols = b * ohw, taps = p.Taps.Length;
        int h = s.H, w = s.W, hw = h * w, sh = s.StrideH, sw = s.StrideW, channels = s.C;
        Vector512<float> store = Lanes(0, ow);
        for (int t = 0; t < taps; t++)
        {
            int dh = p.RowOffset[t], dw = p.ColumnOffset[t];
            (Vector512<float> m0, Vector512<float> m1) = SourceMasks(ow, sw, dw, w);
            for (int plane = p0; plane < p1; plane++)
            {
                int j = plane / channels, c = plane - j * channels;
                float* src = x + (long)plane * hw + dw;
                float* row = col + ((long)c * taps + t) * cols + (long)j * ohw;
                for (int r = 0, ih = dh; r < oh; r++, ih += sh, row += ow)
                {
                    if ((uint)ih >= (uint)h)
                    {
                        Avx512F.MaskStore(row, store, Vector512<float>.Zero);
                        continue;
                    }
                    float* line = src + (long)ih * w;
                    Vector512<float> v = sw == 1
                        ? Avx512F.MaskLoad(line, m0, Vector512<float>.Zero)
                        : Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(line, m0, Vector512<float>.Zero), EvenLanes,
                                                    Avx512F.MaskLoad(line + 16, m1, Vector512<float>.Zero));
                    Avx512F.MaskStore(row, store, v);
                }
            }
        }
    }

    /// <summary>Adds the im2col-shaped gradient rows of planes [p0, p1) back onto the input gradient.</summary>
    public static void Col2ImPlanes(float* dx, float* dcol, int p0, int p1, int b, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int oh = p.OH, ow = p.OW, ohw = oh * ow, cols = b * ohw, taps = p.Taps.Length;
        int h = s.H, w = s.W, hw = h * w, sh = s.StrideH, sw = s.StrideW, channels = s.C;
        for (int t = 0; t < taps; t++)
        {
            int dh = p.RowOffset[t], dw = p.ColumnOffset[t];
            (Vector512<float> m0, Vector512<float> m1) = SourceMasks(ow, sw, dw, w);
            Vector512<float> valid = OutputMask(ow, sw, dw, w);
            for (int plane = p0; plane < p1; plane++)
            {
                int j = plane / channels, c = plane - j * channels;
                float* dst = dx + (long)plane * hw + dw;
                float* row = dcol + ((long)c * taps + t) * cols + (long)j * ohw;
                for (int r = 0, ih = dh; r < oh; r++, ih += sh, row += ow)
                {
                    if ((uint)ih >= (uint)h) continue;
                    float* line = dst + (long)ih * w;
                    Vector512<float> g = Avx512F.MaskLoad(row, valid, Vector512<float>.Zero);
                    if (sw == 1)
                    {
                        Avx512F.MaskStore(line, m0, Avx512F.MaskLoad(line, m0, Vector512<float>.Zero) + g);
                        continue;
                    }
                    // Spread the row over even lanes: outputs 0-7 land on line[0, 2, ..., 14], 8-15 on line[16, ..., 30].
                    Avx512F.MaskStore(line, m0, Avx512F.MaskLoad(line, m0, Vector512<float>.Zero) + Avx512F.PermuteVar16x32x2(g, SpreadLow, Vector512<float>.Zero));
                    if (ow > 8)
                        Avx512F.MaskStore(line + 16, m1, Avx512F.MaskLoad(line + 16, m1, Vector512<float>.Zero) + Avx512F.PermuteVar16x32x2(g, SpreadHigh, Vector512<float>.Zero));
                }
            }
        }
    }

    /// <summary>Whether <see cref="Col2ImRows"/> handles the plan: stride 1 both ways, rows of at most 16 inputs and outputs.</summary>
    public static bool SupportsRows(ConvPlan p) =>
        Avx512F.IsSupported && p.S.StrideH == 1 && p.S.StrideW == 1 && p.S.W <= 16 && p.OW <= 16 && p.Taps.Length <= MaxTaps;

    private const int MaxTaps = 64;

    /// <summary>
    /// col2im for stride 1 by input row: each row of dx is the sum, over the taps, of one output-gradient row shifted
    /// by the tap's offset (one masked load each), written once; so dx needs no clearing first and is not read back
    /// unless <paramref name="accumulate"/>.
    /// </summary>
    public static void Col2ImRows(float* dx, float* dcol, int p0, int p1, int b, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int oh = p.OH, ow = p.OW, ohw = oh * ow, cols = b * ohw, taps = p.Taps.Length;
        int h = s.H, w = s.W, hw = h * w, channels = s.C;
        int[] dhs = p.RowOffset, dws = p.ColumnOffset;
        Vector512<float>* masks = stackalloc Vector512<float>[taps];
        for (int t = 0; t < taps; t++)
            masks[t] = Lanes(dws[t], dws[t] + ow) & Lanes(0, w); // input column iw takes output column iw - dw, when that is an output
        Vector512<float> rowMask = Lanes(0, w);
        for (int plane = p0; plane < p1; plane++)
        {
            int j = plane / channels, c = plane - j * channels;
            float* dst = dx + (long)plane * hw;
            float* grads = dcol + (long)c * taps * cols + (long)j * ohw;
            for (int ih = 0; ih < h; ih++)
            {
                Vector512<float> acc = accumulate ? Avx512F.MaskLoad(dst + (long)ih * w, rowMask, Vector512<float>.Zero) : Vector512<float>.Zero;
                for (int t = 0; t < taps; t++)
                {
                    int r = ih - dhs[t];
                    if ((uint)r >= (uint)oh) continue;
                    acc += Avx512F.MaskLoad(grads + (long)t * cols + (long)r * ow - dws[t], masks[t], Vector512<float>.Zero);
                }
                Avx512F.MaskStore(dst + (long)ih * w, rowMask, acc);
            }
        }
    }

    /// <summary>Lane i selects source element 2i of the 32 in two registers.</summary>
    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Even lane 2i takes output i (i &lt; 8); odd lanes take lane 16 of the zero register.</summary>
    private static readonly Vector512<int> SpreadLow = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);

    /// <summary>Even lane 2i takes output 8 + i.</summary>
    private static readonly Vector512<int> SpreadHigh = Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16);

    /// <summary>Lanes [lo, hi) set.</summary>
    private static Vector512<float> Lanes(int lo, int hi) =>
        (Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lo)) & Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(hi))).AsSingle();

    /// <summary>The outputs ow of a row whose input column ow·stride + offset lies inside the image.</summary>
    private static Vector512<float> OutputMask(int ow, int stride, int offset, int width)
    {
        Vector512<int> col = Vector512<int>.Indices * stride + Vector512.Create(offset);
        return (Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(ow))
              & Vector512.GreaterThanOrEqual(col, Vector512<int>.Zero) & Vector512.LessThan(col, Vector512.Create(width))).AsSingle();
    }

    /// <summary>
    /// The lanes to load from <c>line = row + offset</c> (and, for stride 2, from <c>line + 16</c>): the input columns
    /// that some valid output reads, and nothing outside the image.
    /// </summary>
    private static (Vector512<float> M0, Vector512<float> M1) SourceMasks(int ow, int stride, int offset, int width)
    {
        if (stride == 1) return (OutputMask(ow, 1, offset, width), default);
        Vector512<int> lane = Vector512<int>.Indices;
        Vector512<int> even = Vector512.Equals(lane & Vector512<int>.One, Vector512<int>.Zero);
        Vector512<float> SourceHalf(int first)
        {
            // source element e = first + lane; it is output e / 2 when e is even
            Vector512<int> e = lane + Vector512.Create(first), output = Vector512.ShiftRightArithmetic(e, 1), colum = e + Vector512.Create(offset);
            return (even & Vector512.LessThan(output, Vector512.Create(ow))
                  & Vector512.GreaterThanOrEqual(colum, Vector512<int>.Zero) & Vector512.LessThan(colum, Vector512.Create(width))).AsSingle();
        }
        return (SourceHalf(0), SourceHalf(16));
    }
}
