using System.Buffers;
using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// 2-D convolution in NCHW lowered to GEMM through im2col: a block of images is unrolled into a matrix whose rows are
/// (c, kh, kw) and whose columns are (image, oh, ow), so one group's output channels are W_g (OCg×Kg) · col_g (Kg×cols).
/// Blocks hold as many images as fit <see cref="ConvPlan"/>'s column budget, so the small late layers of a net still make one
/// large GEMM (which <see cref="Gemm"/> splits over the cores); im2col, col2im and the NCHW scatter are split over
/// (image, channel) planes, and groups too small for a parallel GEMM run side by side. Ungrouped convolutions with 16
/// or more input channels lower the other way round, one im2col row per output pixel (<see cref="ConvPixelRows"/>),
/// which is 2-3× faster on resnet18's 7×7 to 2×2 maps; this channel-major lowering serves the rest (the stem, grouped
/// and depthwise convs). Backward kernels accumulate (<c>+=</c>) into their outputs unless told to overwrite.
/// <see cref="ConvReference"/> is the plain loop the tests compare with.
/// </summary>
internal static unsafe class Conv
{
    /// <summary>Floats a plane loop must touch before it is split over the cores.</summary>
    private const int PlaneWork = 1 << 15;

    /// <summary>Multiply-adds of all groups together above which small groups run side by side.</summary>
    private const long GroupWork = 1 << 18;

    /// <summary>Multiply-adds of one group's GEMM from which <see cref="Gemm"/> splits it over the cores itself.</summary>
    private const long GemmParallelWork = 1 << 24;

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
        {
            var plan = new ConvPlan(s);
            if (!accumulate && !ConvPixelRows.Supports(plan) && AsForward(s) is { } transposed) BackwardInputAsForward(pdx, pdy, pw, s, transposed);
            else BackwardInput(pdx, pdy, pw, keptWeight.IsEmpty ? null : pkw, plan, accumulate);
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
        Forward(dinput, dout, f, null, null, null, new ConvPlan(transposed));
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

    private static void Forward(float* output, float* input, float* weight, float* bias, float* keptColumns, float* keptWeight, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        if (s.N == 0 || s.OC == 0) return;
        if (ConvPixelRows.Supports(p))
        {
            ConvPixelRows.Forward(output, input, weight, bias, keptColumns, keptWeight, p);
            return;
        }
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

    private static void BackwardInput(float* dinput, float* dout, float* weight, float* keptWeight, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        if (s.N == 0) return;
        if (s.OC == 0 || p.K == 0)
        {
            if (!accumulate) new Span<float>(dinput, s.N * s.InputImage).Clear();
            return;
        }
        if (ConvPixelRows.Supports(p))
        {
            ConvPixelRows.BackwardInput(dinput, dout, weight, keptWeight, p, accumulate);
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

    private static void BackwardWeight(float* dweight, float* dout, float* input, float* keptColumns, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        // with no images or no live tap the gradient is zero
        if (!accumulate && (s.N == 0 || p.K == 0)) new Span<float>(dweight, s.WeightSize).Clear();
        if (s.N == 0 || s.OC == 0 || p.K == 0) return;
        if (ConvPixelRows.Supports(p))
        {
            ConvPixelRows.BackwardWeight(dweight, dout, input, keptColumns, p, accumulate);
            return;
        }
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
            (int lo, int hi) = ValidRange(ow, s.StrideW, dw, s.W);
            for (int r = 0; r < oh; r++)
            {
                var dst = new Span<float>(row + (long)r * ow, ow);
                int ih = r * s.StrideH + dh;
                if ((uint)ih >= (uint)s.H) { dst.Clear(); continue; }
                dst[..lo].Clear();
                dst[hi..].Clear();
                float* line = src + (long)ih * s.W + dw;
                if (s.StrideW == 1) new ReadOnlySpan<float>(line + lo, hi - lo).CopyTo(dst[lo..hi]);
                else for (int q = lo; q < hi; q++) dst[q] = line[(long)q * s.StrideW];
            }
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
            (int lo, int hi) = ValidRange(ow, s.StrideW, dw, s.W);
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

    /// <summary>The outputs [lo, hi) of a row whose input column ow·stride + offset lies in [0, size).</summary>
    internal static (int Lo, int Hi) ValidRange(int outSize, int stride, int offset, int size)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
        lo = Math.Min(lo, outSize);
        hi = Math.Clamp(hi, lo, outSize);
        return (lo, hi);
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
