using System.Buffers;
using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// 2-D convolution in NCHW lowered to GEMM through im2col: a block of images is unrolled into a matrix whose rows are
/// (c, kh, kw) and whose columns are (image, oh, ow), so one group's output channels are W_g (OCg×Kg) · col_g (Kg×cols).
/// Blocks hold as many images as fit <see cref="ColumnBudget"/>, so the small late layers of a net still make one
/// large GEMM (which <see cref="Gemm"/> splits over the cores); im2col, col2im and the NCHW scatter are split over
/// (image, channel) planes, and groups too small for a parallel GEMM run side by side. Backward kernels accumulate
/// (<c>+=</c>) into their outputs. <see cref="ConvReference"/> is the plain loop the tests compare with.
/// </summary>
internal static unsafe class Conv
{
    /// <summary>Floats of im2col matrix per block (16 MB): a whole 64-image batch of the MNIST-size resnet layers.</summary>
    private const int ColumnBudget = 1 << 22;

    /// <summary>Pointwise convs with at least this many pixels per image read their input in place, one image at a time.</summary>
    private const int DirectPixels = 256;

    /// <summary>Floats a plane loop must touch before it is split over the cores.</summary>
    private const int PlaneWork = 1 << 15;

    /// <summary>Multiply-adds of all groups together above which small groups run side by side.</summary>
    private const long GroupWork = 1 << 18;

    /// <summary>Multiply-adds of one group's GEMM from which <see cref="Gemm"/> splits it over the cores itself.</summary>
    private const long GemmParallelWork = 1 << 24;

    // output (N,OC,OH,OW) = conv(input (N,C,H,W), weight (OC,C/g,KH,KW)) + bias (OC) (bias may be empty); overwritten
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in Conv2dGeometry s)
    {
        Check(s, output.Length, (long)s.N * s.OutputImage, "output");
        Check(s, input.Length, (long)s.N * s.InputImage, "input");
        Check(s, weight.Length, s.WeightSize, "weight");
        if (!bias.IsEmpty) Check(s, bias.Length, s.OC, "bias");
        fixed (float* po = output, pi = input, pw = weight, pb = bias)
            Forward(po, pi, pw, bias.IsEmpty ? null : pb, s);
    }

    // dinput (N,C,H,W) += conv_transpose(dout (N,OC,OH,OW), weight (OC,C/g,KH,KW))
    public static void BackwardInput(Span<float> dinput, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in Conv2dGeometry s)
    {
        Check(s, dinput.Length, (long)s.N * s.InputImage, "dinput");
        Check(s, dout.Length, (long)s.N * s.OutputImage, "dout");
        Check(s, weight.Length, s.WeightSize, "weight");
        fixed (float* pdx = dinput, pdy = dout, pw = weight) BackwardInput(pdx, pdy, pw, s);
    }

    // dweight (OC,C/g,KH,KW) += sum over images of dout (OC, OH·OW) · im2col(input)ᵀ
    public static void BackwardWeight(Span<float> dweight, ReadOnlySpan<float> dout, ReadOnlySpan<float> input, in Conv2dGeometry s)
    {
        Check(s, dweight.Length, s.WeightSize, "dweight");
        Check(s, dout.Length, (long)s.N * s.OutputImage, "dout");
        Check(s, input.Length, (long)s.N * s.InputImage, "input");
        fixed (float* pdw = dweight, pdy = dout, pi = input) BackwardWeight(pdw, pdy, pi, s);
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

    private static bool IsPointwise(in Conv2dGeometry s) =>
        s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 0 && s.PadW == 0;

    /// <summary>Images per block: one for large pointwise convs (read in place), else as many as the column budget holds.</summary>
    private static int BlockSize(in Conv2dGeometry s)
    {
        if (IsPointwise(s) && s.H * s.W >= DirectPixels) return 1;
        long perImage = (long)s.C * s.KH * s.KW * s.OH * s.OW;
        return (int)Math.Clamp(ColumnBudget / Math.Max(perImage, 1), 1, Math.Max(s.N, 1));
    }

    private static void Forward(float* output, float* input, float* weight, float* bias, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, rows = s.C * s.KH * s.KW;
        if (s.N == 0 || s.OC == 0) return;
        int block = BlockSize(s);
        bool direct = block == 1 && IsPointwise(s);
        float[]? colArray = direct ? null : ArrayPool<float>.Shared.Rent(Math.Max(1, rows * block * ohw));
        float[]? tmpArray = block == 1 ? null : ArrayPool<float>.Shared.Rent(s.OC * block * ohw);
        try
        {
            fixed (float* colBuffer = colArray, tmp = tmpArray)
            {
                for (int n0 = 0; n0 < s.N; n0 += block)
                {
                    int b = Math.Min(block, s.N - n0), cols = b * ohw;
                    float* x = input + (long)n0 * s.InputImage;
                    float* col = direct ? x : colBuffer;
                    if (!direct) Im2Col(col, x, b, s);
                    // y (OC, cols): straight into the output for one image, else into tmp and then scattered to NCHW
                    float* y = b == 1 ? output + (long)n0 * s.OutputImage : tmp;
                    ForGroups(s, (long)s.OCg * s.Kg * cols, g =>
                        Gemm.Multiply(y + (long)g * s.OCg * cols, cols, weight + (long)g * s.OCg * s.Kg, s.Kg, 1,
                            col + (long)g * s.Kg * cols, cols, 1, s.OCg, cols, s.Kg, accumulate: false));
                    if (b > 1) ScatterToImages(output + (long)n0 * s.OutputImage, y, bias, b, s);
                    else if (bias != null) AddBias(y, bias, s.OC, ohw);
                }
            }
        }
        finally
        {
            if (colArray is not null) ArrayPool<float>.Shared.Return(colArray);
            if (tmpArray is not null) ArrayPool<float>.Shared.Return(tmpArray);
        }
    }

    private static void BackwardInput(float* dinput, float* dout, float* weight, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, rows = s.C * s.KH * s.KW;
        if (s.N == 0 || s.OC == 0) return;
        int block = BlockSize(s);
        bool direct = block == 1 && IsPointwise(s);
        float[]? colArray = direct ? null : ArrayPool<float>.Shared.Rent(Math.Max(1, rows * block * ohw));
        float[]? tmpArray = block == 1 ? null : ArrayPool<float>.Shared.Rent(s.OC * block * ohw);
        try
        {
            fixed (float* colBuffer = colArray, tmp = tmpArray)
            {
                for (int n0 = 0; n0 < s.N; n0 += block)
                {
                    int b = Math.Min(block, s.N - n0), cols = b * ohw;
                    float* dy = b == 1 ? dout + (long)n0 * s.OutputImage : tmp; // (OC, cols)
                    if (b > 1) GatherFromImages(tmp, dout + (long)n0 * s.OutputImage, b, s);
                    float* dx = dinput + (long)n0 * s.InputImage;
                    // dcol (C·KH·KW, cols) = Wᵀ · dy per group; a large pointwise conv accumulates straight into dinput
                    float* dcol = direct ? dx : colBuffer;
                    ForGroups(s, (long)s.OCg * s.Kg * cols, g =>
                        Gemm.Multiply(dcol + (long)g * s.Kg * cols, cols, weight + (long)g * s.OCg * s.Kg, 1, s.Kg,
                            dy + (long)g * s.OCg * cols, cols, 1, s.Kg, cols, s.OCg, accumulate: direct));
                    if (!direct) Col2Im(dx, dcol, b, s);
                }
            }
        }
        finally
        {
            if (colArray is not null) ArrayPool<float>.Shared.Return(colArray);
            if (tmpArray is not null) ArrayPool<float>.Shared.Return(tmpArray);
        }
    }

    private static void BackwardWeight(float* dweight, float* dout, float* input, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, rows = s.C * s.KH * s.KW;
        if (s.N == 0 || s.OC == 0) return;
        int block = BlockSize(s);
        bool direct = block == 1 && IsPointwise(s);
        float[]? colArray = direct ? null : ArrayPool<float>.Shared.Rent(Math.Max(1, rows * block * ohw));
        float[]? tmpArray = block == 1 ? null : ArrayPool<float>.Shared.Rent(s.OC * block * ohw);
        try
        {
            fixed (float* colBuffer = colArray, tmp = tmpArray)
            {
                for (int n0 = 0; n0 < s.N; n0 += block)
                {
                    int b = Math.Min(block, s.N - n0), cols = b * ohw;
                    float* x = input + (long)n0 * s.InputImage;
                    float* col = direct ? x : colBuffer;
                    if (!direct) Im2Col(col, x, b, s);
                    float* dy = b == 1 ? dout + (long)n0 * s.OutputImage : tmp;
                    if (b > 1) GatherFromImages(tmp, dout + (long)n0 * s.OutputImage, b, s);
                    // dW_g (OCg, Kg) += dy_g (OCg, cols) · col_gᵀ (cols, Kg)
                    ForGroups(s, (long)s.OCg * s.Kg * cols, g =>
                        Gemm.Multiply(dweight + (long)g * s.OCg * s.Kg, s.Kg, dy + (long)g * s.OCg * cols, cols, 1,
                            col + (long)g * s.Kg * cols, 1, cols, s.OCg, s.Kg, cols, accumulate: true));
                }
            }
        }
        finally
        {
            if (colArray is not null) ArrayPool<float>.Shared.Return(colArray);
            if (tmpArray is not null) ArrayPool<float>.Shared.Return(tmpArray);
        }
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

    /// <summary>Runs <paramref name="body"/>(j, c) for every (image, channel) plane, split over the cores when there is enough work.</summary>
    private static void ForPlanes(int images, int channels, long workPerPlane, Action<int, int> body)
    {
        int threshold = (int)Math.Clamp(PlaneWork / Math.Max(workPerPlane, 1), 1, int.MaxValue);
        Parallelism.For(images * channels, threshold, 1, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++) body(p / channels, p % channels);
        });
    }

    // col (C·KH·KW, b·OH·OW): row (c, kh, kw), column (j, oh, ow) = x[j, c, oh·sh - ph + kh·dh, ow·sw - pw + kw·dw] or 0
    private static void Im2Col(float* col, float* x, int b, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW;
        ForPlanes(b, s.C, (long)s.KH * s.KW * ohw, (j, c) => Im2ColPlane(col, x, j, c, b, s));
    }

    private static void Im2ColPlane(float* col, float* x, int j, int c, int b, in Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, cols = b * ohw;
        float* src = x + ((long)j * s.C + c) * s.H * s.W;
        for (int kh = 0; kh < s.KH; kh++)
            for (int kw = 0; kw < s.KW; kw++)
            {
                float* row = col + ((long)(c * s.KH + kh) * s.KW + kw) * cols + (long)j * ohw;
                int dh = kh * s.DilH - s.PadH, dw = kw * s.DilW - s.PadW;
                (int lo, int hi) = ValidRange(s.OW, s.StrideW, dw, s.W);
                for (int oh = 0; oh < s.OH; oh++)
                {
                    var r = new Span<float>(row + (long)oh * s.OW, s.OW);
                    int ih = oh * s.StrideH + dh;
                    if ((uint)ih >= (uint)s.H) { r.Clear(); continue; }
                    r[..lo].Clear();
                    r[hi..].Clear();
                    float* line = src + (long)ih * s.W + dw;
                    if (s.StrideW == 1) new ReadOnlySpan<float>(line + lo, hi - lo).CopyTo(r[lo..hi]);
                    else for (int ow = lo; ow < hi; ow++) r[ow] = line[(long)ow * s.StrideW];
                }
            }
    }

    // dx[j, c, ih, iw] += every dcol entry that im2col copied from there
    private static void Col2Im(float* dx, float* dcol, int b, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW;
        ForPlanes(b, s.C, (long)s.KH * s.KW * ohw, (j, c) => Col2ImPlane(dx, dcol, j, c, b, s));
    }

    private static void Col2ImPlane(float* dx, float* dcol, int j, int c, int b, in Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, cols = b * ohw;
        float* dst = dx + ((long)j * s.C + c) * s.H * s.W;
        for (int kh = 0; kh < s.KH; kh++)
            for (int kw = 0; kw < s.KW; kw++)
            {
                float* row = dcol + ((long)(c * s.KH + kh) * s.KW + kw) * cols + (long)j * ohw;
                int dh = kh * s.DilH - s.PadH, dw = kw * s.DilW - s.PadW;
                (int lo, int hi) = ValidRange(s.OW, s.StrideW, dw, s.W);
                if (lo >= hi) continue;
                for (int oh = 0; oh < s.OH; oh++)
                {
                    int ih = oh * s.StrideH + dh;
                    if ((uint)ih >= (uint)s.H) continue;
                    float* r = row + (long)oh * s.OW;
                    float* line = dst + (long)ih * s.W + dw;
                    if (s.StrideW == 1)
                    {
                        var d = new Span<float>(line + lo, hi - lo);
                        TensorPrimitives.Add(d, new ReadOnlySpan<float>(r + lo, hi - lo), d);
                    }
                    else for (int ow = lo; ow < hi; ow++) line[(long)ow * s.StrideW] += r[ow];
                }
            }
    }

    /// <summary>The outputs [lo, hi) of a row whose input column ow·stride + offset lies in [0, size).</summary>
    private static (int Lo, int Hi) ValidRange(int outSize, int stride, int offset, int size)
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
        int ohw = s.OH * s.OW, cols = b * ohw;
        ForPlanes(b, s.OC, ohw, (j, oc) =>
        {
            var src = new ReadOnlySpan<float>(y + (long)oc * cols + (long)j * ohw, ohw);
            var dst = new Span<float>(output + ((long)j * s.OC + oc) * ohw, ohw);
            if (bias != null) TensorPrimitives.Add(src, bias[oc], dst);
            else src.CopyTo(dst);
        });
    }

    // dy (OC, b·OH·OW)[oc, j·OH·OW + p] = dout (b,OC,OH·OW)[j, oc, p]
    private static void GatherFromImages(float* dy, float* dout, int b, Conv2dGeometry s)
    {
        int ohw = s.OH * s.OW, cols = b * ohw;
        ForPlanes(b, s.OC, ohw, (j, oc) =>
            new ReadOnlySpan<float>(dout + ((long)j * s.OC + oc) * ohw, ohw).CopyTo(new Span<float>(dy + (long)oc * cols + (long)j * ohw, ohw)));
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
