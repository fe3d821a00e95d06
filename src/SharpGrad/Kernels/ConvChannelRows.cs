using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// The channel-major lowering of <see cref="Conv"/>: a block of images is unrolled into an im2col matrix whose rows are
/// (c, live tap) and whose columns are (image, oh, ow), so one group's output channels are W_g (OCg×Kg) · col_g
/// (Kg×cols). Blocks hold as many images as fit <see cref="ConvPlan"/>'s column budget, so small late layers still make
/// one large GEMM (which <see cref="Gemm"/> splits over the cores); im2col, col2im and the NCHW scatter are split over
/// (image, channel) planes, and groups too small for a parallel GEMM run side by side. It serves what
/// <see cref="ConvPixelRows"/> does not: fewer than 16 input channels (a stem), grouped and depthwise convs, and large
/// pointwise convs, which read their input in place. Rows of at most 16 outputs go through <see cref="ConvRows512"/>.
/// </summary>
internal static unsafe class ConvChannelRows
{
    /// <summary>Floats a plane loop must touch before it is split over the cores.</summary>
    private const int PlaneWork = 1 << 15;

    /// <summary>Multiply-adds of all groups together above which small groups run side by side.</summary>
    private const long GroupWork = 1 << 18;

    /// <summary>Multiply-adds of one group's GEMM from which <see cref="Gemm"/> splits it over the cores itself.</summary>
    private const long GemmParallelWork = 1 << 24;

    /// <summary>output (N,OC,OH,OW) = conv(input, weight) + bias (bias may be null); keptColumns, when not null, receives the im2col matrix.</summary>
    public static void Forward(float* output, float* input, float* weight, float* bias, float* keptColumns, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW;
        using var col = new Scratch(p.Direct || keptColumns != null ? 0 : p.ColumnFloats);
        using var tmp = new Scratch(p.Block == 1 ? 0 : (long)s.OC * p.Block * ohw);
        using var live = new Scratch(p.AllTaps ? 0 : (long)s.OC * p.K);
        float* w = p.AllTaps ? weight : GatherLiveTaps(live.Pointer, weight, p);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), cols = b * ohw;
            float* x = input + (long)n0 * s.InputImage;
            float* c = p.Direct ? x : keptColumns != null ? keptColumns : col.Pointer;
            if (!p.Direct) Im2Col(c, x, b, p);
            // y (OC, cols): straight into the output for one image, else into tmp and then scattered to NCHW
            float* y = b == 1 ? output + (long)n0 * s.OutputImage : tmp.Pointer;
            if (p.K == 0) new Span<float>(y, s.OC * cols).Clear();
            else
                ForGroups(s, (long)s.OCg * p.K * cols, g =>
                    Gemm.Multiply(y + (long)g * s.OCg * cols, cols, w + (long)g * s.OCg * p.K, p.K, 1,
                        c + (long)g * p.K * cols, cols, 1, s.OCg, cols, p.K, accumulate: false));
            if (b > 1) ScatterToImages(output + (long)n0 * s.OutputImage, y, bias, b, s);
            else if (bias != null) AddBias(y, bias, s.OC, ohw);
        }
    }

    /// <summary>dinput (+)= the input gradient, = unless <paramref name="accumulate"/> (then, where it pays, as a forward conv: <see cref="AsForward"/>).</summary>
    public static void BackwardInput(float* dinput, float* dout, float* weight, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        if (!accumulate && AsForward(s) is { } transposed)
        {
            BackwardInputAsForward(dinput, dout, weight, s, transposed);
            return;
        }
        int ohw = p.OH * p.OW;
        using var col = new Scratch(p.Direct ? 0 : p.ColumnFloats);
        using var tmp = new Scratch(p.Block == 1 ? 0 : (long)s.OC * p.Block * ohw);
        using var live = new Scratch(p.AllTaps ? 0 : (long)s.OC * p.K);
        float* w = p.AllTaps ? weight : GatherLiveTaps(live.Pointer, weight, p);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), cols = b * ohw;
            float* dy = b == 1 ? dout + (long)n0 * s.OutputImage : tmp.Pointer; // (OC, cols)
            if (b > 1) GatherFromImages(tmp.Pointer, dout + (long)n0 * s.OutputImage, b, s);
            float* dx = dinput + (long)n0 * s.InputImage;
            // dcol (Cg·taps, cols) = Wᵀ · dy per group; a large pointwise conv accumulates straight into dinput
            float* dcol = p.Direct ? dx : col.Pointer;
            ForGroups(s, (long)s.OCg * p.K * cols, g =>
                Gemm.Multiply(dcol + (long)g * p.K * cols, cols, w + (long)g * s.OCg * p.K, 1, p.K,
                    dy + (long)g * s.OCg * cols, cols, 1, p.K, cols, s.OCg, accumulate: p.Direct && accumulate));
            if (!p.Direct) Col2Im(dx, dcol, b, p, accumulate);
        }
    }

    /// <summary>
    /// For a stride-1 convolution on maps of 5x5 or more that the channel-major lowering serves, the geometry of its
    /// input gradient computed as a forward convolution: dinput = conv(dout, weight transposed and flipped, padding
    /// K-1-pad). That lowers dout with im2col (a copy) where the transposed convolution scatter-adds columns back into
    /// dinput with col2im, which costs about twice as much per element: resnet18's layer1 trained ~12% faster this way
    /// before it moved to <see cref="ConvPixelRows"/>. On 4x4 maps it measured even, and below that the weight's
    /// transpose costs more than it saves. Null otherwise.
    /// </summary>
    private static Conv2dGeometry? AsForward(in Conv2dGeometry s)
    {
        bool fits = s.StrideH == 1 && s.StrideW == 1 && s.DilH == 1 && s.DilW == 1 && s.Groups == 1 && s.KH * s.KW > 1
            && s.PadH <= s.KH - 1 && s.PadW <= s.KW - 1 && s.OH * s.OW >= 25;
        return fits ? new Conv2dGeometry(s.N, s.OC, s.OH, s.OW, s.C, s.KH, s.KW, 1, 1, s.KH - 1 - s.PadH, s.KW - 1 - s.PadW, 1, 1, 1) : null;
    }

    private static void BackwardInputAsForward(float* dinput, float* dout, float* weight, in Conv2dGeometry s, Conv2dGeometry transposed)
    {
        // flipped (C, OC, KH, KW)[c, o, kh, kw] = weight (OC, C, KH, KW)[o, c, KH-1-kh, KW-1-kw]
        int taps = s.KH * s.KW;
        using var flipped = new Scratch((long)s.C * s.OC * taps);
        float* f = flipped.Pointer;
        for (int o = 0; o < s.OC; o++)
            for (int c = 0; c < s.C; c++)
            {
                float* src = weight + ((long)o * s.C + c) * taps, dst = f + ((long)c * s.OC + o) * taps;
                for (int t = 0; t < taps; t++) dst[t] = src[taps - 1 - t];
            }
        Conv.Forward(dinput, dout, f, null, null, null, new ConvPlan(transposed));
    }

    /// <summary>dweight (+)= the weight gradient, = unless <paramref name="accumulate"/>; keptColumns: Forward's im2col matrix, or null.</summary>
    public static void BackwardWeight(float* dweight, float* dout, float* input, float* keptColumns, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW;
        using var col = new Scratch(p.Direct || keptColumns != null ? 0 : p.ColumnFloats);
        using var tmp = new Scratch(p.Block == 1 ? 0 : (long)s.OC * p.Block * ohw);
        using var live = new Scratch(p.AllTaps ? 0 : (long)s.OC * p.K, clear: true);
        float* dw = p.AllTaps ? dweight : live.Pointer; // the live taps' gradient, added into dweight at the end
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), cols = b * ohw;
            float* x = input + (long)n0 * s.InputImage;
            float* c = p.Direct ? x : keptColumns != null ? keptColumns : col.Pointer;
            if (!p.Direct && keptColumns == null) Im2Col(c, x, b, p);
            float* dy = b == 1 ? dout + (long)n0 * s.OutputImage : tmp.Pointer;
            if (b > 1) GatherFromImages(tmp.Pointer, dout + (long)n0 * s.OutputImage, b, s);
            // dW_g (OCg, Cg·taps) += dy_g (OCg, cols) · col_gᵀ (cols, Cg·taps)
            ForGroups(s, (long)s.OCg * p.K * cols, g =>
                Gemm.Multiply(dw + (long)g * s.OCg * p.K, p.K, dy + (long)g * s.OCg * cols, cols, 1,
                    c + (long)g * p.K * cols, 1, cols, s.OCg, p.K, cols, accumulate: n0 > 0 || (accumulate && p.AllTaps)));
        }
        if (!p.AllTaps) ScatterLiveTaps(dweight, dw, p, accumulate);
    }

    /// <summary>live (OC, Cg, taps) = weight (OC, Cg, KH·KW) at the live taps.</summary>
    private static float* GatherLiveTaps(float* live, float* weight, ConvPlan p)
    {
        int taps = p.Taps.Length, all = p.S.KH * p.S.KW;
        ForWeightRows(p, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
                for (int t = 0; t < taps; t++) live[r * taps + t] = weight[r * all + p.Taps[t]];
        });
        return live;
    }

    /// <summary>dweight (OC, Cg, KH·KW) (+)= live (OC, Cg, taps) at the live taps; overwriting also zeroes the dead taps.</summary>
    private static void ScatterLiveTaps(float* dweight, float* live, ConvPlan p, bool accumulate)
    {
        int taps = p.Taps.Length, all = p.S.KH * p.S.KW;
        ForWeightRows(p, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                float* dst = dweight + r * all;
                if (!accumulate) new Span<float>(dst, all).Clear();
                for (int t = 0; t < taps; t++) dst[p.Taps[t]] += live[r * taps + t];
            }
        });
    }

    /// <summary>Runs <paramref name="body"/> over ranges of the weight's (OC·Cg) rows, split over the cores when large.</summary>
    private static void ForWeightRows(ConvPlan p, Action<int, int> body)
    {
        int rows = p.S.OC * p.S.Cg, perRow = p.S.KH * p.S.KW;
        Parallelism.For(rows, Math.Max(1, PlaneWork / perRow), 1, body);
    }

    /// <summary>Runs <paramref name="body"/>(g) for every group: side by side when each group's GEMM is too small to split itself.</summary>
    private static void ForGroups(in Conv2dGeometry s, long workPerGroup, Action<int> body)
    {
        int groups = s.Groups;
        if (groups == 1 || workPerGroup * groups < GroupWork || workPerGroup >= GemmParallelWork)
        {
            for (int g = 0; g < groups; g++) body(g);
            return;
        }
        Parallelism.For(groups, 1, 1, (g0, g1) =>
        {
            for (int g = g0; g < g1; g++) body(g);
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>(p0, p1) over ranges of the (image, channel) planes (plane = image · channels +
    /// channel), split over the cores when there is enough work.
    /// </summary>
    private static void ForPlanes(int images, int channels, long workPerPlane, Action<int, int> body)
    {
        int threshold = (int)Math.Clamp(PlaneWork / Math.Max(workPerPlane, 1), 1, int.MaxValue);
        Parallelism.For(images * channels, threshold, 1, body);
    }

    /// <summary>Runs <paramref name="body"/>(j, c) for every plane in [p0, p1).</summary>
    private static void EachPlane(int p0, int p1, int channels, Action<int, int> body)
    {
        for (int q = p0; q < p1; q++) body(q / channels, q % channels);
    }

    // col (C·taps, b·OH·OW): row (c, tap), column (j, oh, ow) = x[j, c, oh·sh - ph + kh·dh, ow·sw - pw + kw·dw] or 0
    private static void Im2Col(float* col, float* x, int b, ConvPlan p)
    {
        long work = (long)p.Taps.Length * p.OH * p.OW;
        if (ConvRows512.Supports(p)) ForPlanes(b, p.S.C, work, (p0, p1) => ConvRows512.Im2ColPlanes(col, x, p0, p1, b, p));
        else ForPlanes(b, p.S.C, work, (p0, p1) => EachPlane(p0, p1, p.S.C, (j, c) => Im2ColPlane(col, x, j, c, b, p)));
    }

    private static void Im2ColPlane(float* col, float* x, int j, int c, int b, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int oh = p.OH, ow = p.OW, ohw = oh * ow, cols = b * ohw, taps = p.Taps.Length;
        float* src = x + ((long)j * s.C + c) * s.H * s.W;
        for (int t = 0; t < taps; t++)
        {
            float* row = col + ((long)c * taps + t) * cols + (long)j * ohw;
            int dh = p.RowOffset[t], dw = p.ColumnOffset[t];
            (int lo, int hi) = ConvPlan.ValidRange(ow, s.StrideW, dw, s.W);
            for (int r = 0; r < oh; r++)
            {
                var dst = new Span<float>(row + (long)r * ow, ow);
                int ih = r * s.StrideH + dh;
                if ((uint)ih >= (uint)s.H) { dst.Clear(); continue; }
                dst[..lo].Clear();
                dst[hi..].Clear();
                float* line = src + (long)ih * s.W + dw;
                if (s.StrideW == 1) new ReadOnlySpan<float>(line + lo, hi - lo).CopyTo(dst[lo..hi]);
                else if (s.StrideW == 2) EveryOther(dst[lo..hi], line + 2L * lo);
                else for (int q = lo; q < hi; q++) dst[q] = line[(long)q * s.StrideW];
            }
        }
    }

    /// <summary>
    /// dst[q] = src[2q]: a stride-2 row of im2col (a resnet stem's 7x7/2 conv), two vectors in, one out, instead of one
    /// scalar load and store per element. A vector step reads src[2q .. 2q+2·width-1], so it runs only while a later
    /// element is still wanted (src[2q+2·width] is then in the row), never past the row's last needed input.
    /// </summary>
    internal static void EveryOther(Span<float> dst, float* src)
    {
        int n = dst.Length, q = 0;
        fixed (float* d = dst)
        {
            if (Avx512F.IsSupported)
            {
                Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                for (; q + 16 < n; q += 16)
                    Avx512F.Store(d + q, Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(src + 2 * q), evens, Avx512F.LoadVector512(src + 2 * q + 16)));
            }
            if (Avx2.IsSupported)
            {
                Vector256<int> pack = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
                for (; q + 8 < n; q += 8)
                {
                    Vector256<float> a = Avx2.PermuteVar8x32(Avx.LoadVector256(src + 2 * q), pack);
                    Vector256<float> b = Avx2.PermuteVar8x32(Avx.LoadVector256(src + 2 * q + 8), pack);
                    Avx.Store(d + q, Avx.Permute2x128(a, b, 0x20)); // the evens of a, then the evens of b
                }
            }
            for (; q < n; q++) d[q] = src[2L * q];
        }
    }

    // dx[j, c, ih, iw] += every dcol entry that im2col copied from there
    private static void Col2Im(float* dx, float* dcol, int b, ConvPlan p, bool accumulate)
    {
        long work = (long)p.Taps.Length * p.OH * p.OW;
        int hw = p.S.H * p.S.W;
        if (ConvRows512.SupportsRows(p))
        {
            ForPlanes(b, p.S.C, work, (p0, p1) => ConvRows512.Col2ImRows(dx, dcol, p0, p1, b, p, accumulate));
            return;
        }
        ForPlanes(b, p.S.C, work, (p0, p1) =>
        {
            // overwriting: the range's planes are contiguous in dx; clear them here, on the thread about to add into them
            if (!accumulate) new Span<float>(dx + (long)p0 * hw, (p1 - p0) * hw).Clear();
            if (ConvRows512.Supports(p)) ConvRows512.Col2ImPlanes(dx, dcol, p0, p1, b, p);
            else EachPlane(p0, p1, p.S.C, (j, c) => Col2ImPlane(dx, dcol, j, c, b, p));
        });
    }

    private static void Col2ImPlane(float* dx, float* dcol, int j, int c, int b, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int oh = p.OH, ow = p.OW, ohw = oh * ow, cols = b * ohw, taps = p.Taps.Length;
        float* dst = dx + ((long)j * s.C + c) * s.H * s.W;
        for (int t = 0; t < taps; t++)
        {
            float* row = dcol + ((long)c * taps + t) * cols + (long)j * ohw;
            int dh = p.RowOffset[t], dw = p.ColumnOffset[t];
            (int lo, int hi) = ConvPlan.ValidRange(ow, s.StrideW, dw, s.W);
            if (lo >= hi) continue;
            for (int r = 0; r < oh; r++)
            {
                int ih = r * s.StrideH + dh;
                if ((uint)ih >= (uint)s.H) continue;
                float* g = row + (long)r * ow;
                float* line = dst + (long)ih * s.W + dw;
                if (s.StrideW == 1)
                {
                    var d = new Span<float>(line + lo, hi - lo);
                    TensorPrimitives.Add(d, new ReadOnlySpan<float>(g + lo, hi - lo), d);
                }
                else for (int q = lo; q < hi; q++) line[(long)q * s.StrideW] += g[q];
            }
        }
    }

    // out (b,OC,OH·OW)[j, oc, p] = y (OC, b·OH·OW)[oc, j·OH·OW + p] + bias[oc]
    private static void ScatterToImages(float* output, float* y, float* bias, int b, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, cols = b * ohw, channels = s.OC;
        ForPlanes(b, channels, ohw, (p0, p1) =>
        {
            for (int q = p0; q < p1; q++)
            {
                int j = q / channels, oc = q - j * channels;
                float* src = y + (long)oc * cols + (long)j * ohw, dst = output + (long)q * ohw;
                if (bias == null) Copy(dst, src, ohw);
                else if (ohw >= 16) TensorPrimitives.Add(new ReadOnlySpan<float>(src, ohw), bias[oc], new Span<float>(dst, ohw));
                else for (int i = 0; i < ohw; i++) dst[i] = src[i] + bias[oc];
            }
        });
    }

    // dy (OC, b·OH·OW)[oc, j·OH·OW + p] = dout (b,OC,OH·OW)[j, oc, p]
    private static void GatherFromImages(float* dy, float* dout, int b, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, cols = b * ohw, channels = s.OC;
        ForPlanes(b, channels, ohw, (p0, p1) =>
        {
            for (int q = p0; q < p1; q++)
            {
                int j = q / channels, oc = q - j * channels;
                Copy(dy + (long)oc * cols + (long)j * ohw, dout + (long)q * ohw, ohw);
            }
        });
    }

    /// <summary>Copies <paramref name="n"/> floats; short planes (the 1×1 to 4×4 maps of a resnet's last layers) element by element.</summary>
    private static void Copy(float* dst, float* src, int n)
    {
        if (n >= 16) Buffer.MemoryCopy(src, dst, (long)n * sizeof(float), (long)n * sizeof(float));
        else for (int i = 0; i < n; i++) dst[i] = src[i];
    }

    // y (OC, n) += bias (OC) broadcast along rows
    private static void AddBias(float* y, float* bias, int channels, int n)
    {
        for (int oc = 0; oc < channels; oc++)
        {
            var row = new Span<float>(y + (long)oc * n, n);
            TensorPrimitives.Add(row, bias[oc], row);
        }
    }
}
