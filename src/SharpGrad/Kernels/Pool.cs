using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// 2-D pooling over P = N·C independent planes (row-major H×W each), split over the cores by planes: max pooling
/// (remembers each output's argmax as h·W + w within its plane, PyTorch's <c>return_indices</c>), average pooling, and
/// PyTorch's adaptive pools whose window i spans [floor(i·in/out), ceil((i+1)·in/out)). Window bounds are clamped once
/// per output, so the inner loops carry no bounds tests. Backward kernels accumulate (<c>+=</c>) into dinput.
/// Max pooling follows PyTorch's CPU rule <c>v &gt; max || isnan(v)</c>: the first maximum wins ties, a NaN propagates.
/// <see cref="PoolReference"/> holds the plain loops the tests compare with.
/// </summary>
internal static unsafe class Pool
{
    /// <summary>Window taps a plane loop must visit before it is split over the cores.</summary>
    private const int PlaneWork = 1 << 15;

    // output, indices (P,OH,OW) = max over each window of input (P,H,W); padding never wins
    public static void MaxForward(Span<float> output, Span<int> indices, ReadOnlySpan<float> input, in Pool2dGeometry s)
    {
        int oh = s.OH, ow = s.OW;
        Check(output.Length, indices.Length, input.Length, s.Planes, s.H, s.W, oh, ow, "MaxPool");
        int[] rows = Windows(oh, s.StrideH, s.PadH, s.KH, s.H, true), cols = Windows(ow, s.StrideW, s.PadW, s.KW, s.W, true);
        MaxPlanes(output, indices, input, s.Planes, s.H, s.W, oh, ow, rows, cols, (long)oh * ow * s.KH * s.KW);
    }

    // output, indices (P,OH,OW) = max over PyTorch's adaptive windows of input (P,H,W)
    public static void AdaptiveMaxForward(Span<float> output, Span<int> indices, ReadOnlySpan<float> input, int planes, int h, int w, int oh, int ow)
    {
        Check(output.Length, indices.Length, input.Length, planes, h, w, oh, ow, "AdaptiveMaxPool");
        MaxPlanes(output, indices, input, planes, h, w, oh, ow, AdaptiveWindows(oh, h), AdaptiveWindows(ow, w), (long)h * w);
    }

    // dinput (P,H,W)[p, indices[p, o]] += dout (P,OH,OW)[p, o]: backward of both max pools
    public static void MaxBackward(Span<float> dinput, ReadOnlySpan<float> dout, ReadOnlySpan<int> indices, int planes, int inPlane, int outPlane)
    {
        if (dinput.Length < (long)planes * inPlane || dout.Length < (long)planes * outPlane || indices.Length < (long)planes * outPlane)
            throw new ArgumentException($"MaxPool backward: buffers of {dinput.Length}, {dout.Length} and {indices.Length} elements are too small for {planes} planes of {inPlane} -> {outPlane}.");
        fixed (float* pdx = dinput, pdy = dout)
        fixed (int* px = indices)
        {
            float* dx = pdx, dy = pdy;
            int* ix = px;
            ForPlanes(planes, outPlane, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* d = dx + (long)p * inPlane;
                    float* g = dy + (long)p * outPlane;
                    int* idx = ix + (long)p * outPlane;
                    for (int o = 0; o < outPlane; o++) d[idx[o]] += g[o];
                }
            });
        }
    }

    // output (P,OH,OW) = mean over each window of input (P,H,W); the divisor counts padding when countIncludePad
    public static void AvgForward(Span<float> output, ReadOnlySpan<float> input, in Pool2dGeometry s, bool countIncludePad = true)
    {
        int oh = s.OH, ow = s.OW;
        Check(output.Length, int.MaxValue, input.Length, s.Planes, s.H, s.W, oh, ow, "AvgPool");
        int[] rows = Windows(oh, s.StrideH, s.PadH, s.KH, s.H, countIncludePad), cols = Windows(ow, s.StrideW, s.PadW, s.KW, s.W, countIncludePad);
        fixed (float* po = output, pi = input) AvgPlanes(po, pi, s.Planes, s.H, s.W, oh, ow, rows, cols, (long)oh * ow * s.KH * s.KW, backward: false);
    }

    // dinput (P,H,W) += dout (P,OH,OW) spread evenly over each window (by the same divisor as the forward)
    public static void AvgBackward(Span<float> dinput, ReadOnlySpan<float> dout, in Pool2dGeometry s, bool countIncludePad = true)
    {
        int oh = s.OH, ow = s.OW;
        Check(dout.Length, int.MaxValue, dinput.Length, s.Planes, s.H, s.W, oh, ow, "AvgPool backward");
        int[] rows = Windows(oh, s.StrideH, s.PadH, s.KH, s.H, countIncludePad), cols = Windows(ow, s.StrideW, s.PadW, s.KW, s.W, countIncludePad);
        fixed (float* pdy = dout, pdx = dinput) AvgPlanes(pdy, pdx, s.Planes, s.H, s.W, oh, ow, rows, cols, (long)oh * ow * s.KH * s.KW, backward: true);
    }

    // output (P,OH,OW) = mean over PyTorch's adaptive windows of input (P,H,W)
    public static void AdaptiveAvgForward(Span<float> output, ReadOnlySpan<float> input, int planes, int h, int w, int oh, int ow)
    {
        Check(output.Length, int.MaxValue, input.Length, planes, h, w, oh, ow, "AdaptiveAvgPool");
        fixed (float* po = output, pi = input) AvgPlanes(po, pi, planes, h, w, oh, ow, AdaptiveWindows(oh, h), AdaptiveWindows(ow, w), (long)h * w, backward: false);
    }

    // dinput (P,H,W) += dout (P,OH,OW) spread evenly over each adaptive window
    public static void AdaptiveAvgBackward(Span<float> dinput, ReadOnlySpan<float> dout, int planes, int h, int w, int oh, int ow)
    {
        Check(dout.Length, int.MaxValue, dinput.Length, planes, h, w, oh, ow, "AdaptiveAvgPool backward");
        fixed (float* pdy = dout, pdx = dinput) AvgPlanes(pdy, pdx, planes, h, w, oh, ow,
            AdaptiveWindows(oh, h), AdaptiveWindows(ow, w), (long)h * w, backward: true);
    }

    private static void Check(int outLength, int indicesLength, int inLength, int planes, int h, int w, int oh, int ow, string op)
    {
        if (planes < 0 || h <= 0 || w <= 0 || oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: invalid sizes, {planes} planes of {h}x{w} -> {oh}x{ow}.");
        long outNeeded = (long)planes * oh * ow, inNeeded = (long)planes * h * w;
        if (outLength < outNeeded || indicesLength < outNeeded || inLength < inNeeded)
            throw new ArgumentException($"{op}: buffers too small for {planes} planes of {h}x{w} -> {oh}x{ow}.");
    }

    private static void ForPlanes(int planes, long workPerPlane, Action<int, int> body)
    {
        int threshold = (int)Math.Clamp(PlaneWork / Math.Max(workPerPlane, 1), 1, int.MaxValue);
        Parallelism.For(planes, threshold, 1, body);
    }

    /// <summary>
    /// Start, end and divisor of each output row's window (3 ints per output): clamped to the input; the divisor is the
    /// window's extent within the padded input when <paramref name="countPad"/>, else within the input.
    /// </summary>
    private static int[] Windows(int outSize, int stride, int pad, int kernel, int size, bool countPad)
    {
        var t = new int[3 * outSize];
        for (int i = 0; i < outSize; i++)
        {
            int start = i * stride - pad, end = Math.Min(start + kernel, size + pad);
            int padded = end - start;
            start = Math.Max(start, 0);
            end = Math.Min(end, size);
            (t[3 * i], t[3 * i + 1], t[3 * i + 2]) = (start, end, countPad ? padded : end - start);
        }
        return t;
    }

    /// <summary>PyTorch's adaptive windows, [floor(i·in/out), ceil((i+1)·in/out)), with their sizes as divisors.</summary>
    private static int[] AdaptiveWindows(int outSize, int inSize)
    {
        var t = new int[3 * outSize];
        for (int i = 0; i < outSize; i++)
        {
            int start = (int)((long)i * inSize / outSize), end = (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);
            (t[3 * i], t[3 * i + 1], t[3 * i + 2]) = (start, end, end - start);
        }
        return t;
    }

    // output, indices (P,OH,OW) = max and argmax of input (P,H,W) over the windows rows(i) × cols(j)
    private static void MaxPlanes(Span<float> output, Span<int> indices, ReadOnlySpan<float> input, int planes, int h, int w, int oh, int ow,
        int[] rowWindows, int[] colWindows, long workPerPlane)
    {
        fixed (float* po = output, pi = input)
        fixed (int* px = indices, pr = rowWindows, pc = colWindows)
        {
            float* o0 = po, x0 = pi;
            int* ix0 = px, rows = pr, cols = pc;
            ForPlanes(planes, workPerPlane, (p0, p1) =>
            {
                if (Avx512F.IsSupported) p0 = MaxBlocks16(o0, ix0, x0, rows, cols, h, w, oh, ow, p0, p1);
                MaxRange(o0, ix0, x0, rows, cols, h, w, oh, ow, p0, p1);
            });
        }
    }

    /// <summary>
    /// Planes from <paramref name="p0"/> of <see cref="MaxPlanes"/> sixteen at a time, one plane per vector lane: each
    /// block is transposed to (H·W, 16) so every window element is one vector load and compare, and the results are
    /// transposed back. The visiting order per plane is the scalar loop's, so ties and NaNs resolve the same way.
    /// Returns the first plane left over (fewer than 16).
    /// </summary>
    private static int MaxBlocks16(float* output, int* indices, float* input, int* rows, int* cols, int h, int w, int oh, int ow, int p0, int p1)
    {
        if (p1 - p0 < 16) return p0;
        int hw = h * w, ohw = oh * ow;
        using var block = new Scratch((long)hw * 16 + 2L * ohw * 16);
        float* xs = block.Pointer, maxes = xs + (long)hw * 16;
        int* bests = (int*)(maxes + (long)ohw * 16);
        for (; p0 + 16 <= p1; p0 += 16)
        {
            Transpose.Run(xs, 16, input + (long)p0 * hw, hw, 16, hw);
            for (int i = 0; i < oh; i++)
            {
                int h0 = rows[3 * i], h1 = rows[3 * i + 1];
                for (int j = 0; j < ow; j++)
                {
                    int w0 = cols[3 * j], w1 = cols[3 * j + 1];
                    Vector512<float> max = Vector512.Create(float.NegativeInfinity);
                    Vector512<int> best = Vector512.Create(h0 * w + w0);
                    for (int y = h0; y < h1; y++)
                        for (int xx = w0; xx < w1; xx++)
                        {
                            int at = y * w + xx;
                            Vector512<float> v = Vector512.Load(xs + (long)at * 16);
                            Vector512<float> take = Vector512.GreaterThan(v, max) | ~Vector512.Equals(v, v);
                            max = Vector512.ConditionalSelect(take, v, max);
                            best = Vector512.ConditionalSelect(take.AsInt32(), Vector512.Create(at), best);
                        }
                    int q = i * ow + j;
                    Vector512.Store(max, maxes + (long)q * 16);
                    Vector512.Store(best, bests + (long)q * 16);
                }
            }
            Transpose.Run(output + (long)p0 * ohw, ohw, maxes, 16, ohw, 16);
            Transpose.Run((float*)(indices + (long)p0 * ohw), ohw, (float*)bests, 16, ohw, 16);
        }
        return p0;
    }

    /// <summary>Planes [p0, p1) of <see cref="MaxPlanes"/> (its own method: the sizes stay in registers, not in a closure).</summary>
    private static void MaxRange(float* output, int* indices, float* input, int* rows, int* cols, int h, int w, int oh, int ow, int p0, int p1)
    {
        for (int p = p0; p < p1; p++)
        {
            float* o = output + (long)p * oh * ow, x = input + (long)p * h * w;
            int* ix = indices + (long)p * oh * ow;
            for (int i = 0; i < oh; i++)
            {
                int h0 = rows[3 * i], h1 = rows[3 * i + 1];
                for (int j = 0; j < ow; j++)
                {
                    int w0 = cols[3 * j], w1 = cols[3 * j + 1];
                    int best = h0 * w + w0;
                    float max = float.NegativeInfinity;
                    for (int y = h0; y < h1; y++)
                    {
                        float* line = x + (long)y * w;
                        for (int xx = w0; xx < w1; xx++)
                        {
                            // branch-free: on real activations the comparison is a coin toss the predictor misses
                            float v = line[xx];
                            bool take = v > max | float.IsNaN(v);
                            max = take ? v : max;
                            best = take ? y * w + xx : best;
                        }
                    }
                    o[i * ow + j] = max;
                    ix[i * ow + j] = best;
                }
            }
        }
    }

    // forward: pooled (P,OH,OW) = sum of image (P,H,W) over each window / its divisor;
    // backward: image (P,H,W) += pooled (P,OH,OW) / divisor over each window
    private static void AvgPlanes(float* pooled, float* image, int planes, int h, int w, int oh, int ow,
        int[] rowWindows, int[] colWindows, long workPerPlane, bool backward)
    {
        fixed (int* pr = rowWindows, pc = colWindows)
        {
            float* o0 = pooled, x0 = image;
            int* rows = pr, cols = pc;
            ForPlanes(planes, workPerPlane, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* o = o0 + (long)p * oh * ow, x = x0 + (long)p * h * w;
                    for (int i = 0; i < oh; i++)
                    {
                        int h0 = rows[3 * i], h1 = rows[3 * i + 1], hc = rows[3 * i + 2];
                        for (int j = 0; j < ow; j++)
                        {
                            int w0 = cols[3 * j], w1 = cols[3 * j + 1], count = hc * cols[3 * j + 2];
                            if (backward)
                            {
                                float share = o[i * ow + j] / count;
                                for (int y = h0; y < h1; y++)
                                {
                                    float* line = x + (long)y * w;
                                    for (int xx = w0; xx < w1; xx++) line[xx] += share;
                                }
                            }
                            else
                            {
                                float sum = 0;
                                for (int y = h0; y < h1; y++)
                                {
                                    float* line = x + (long)y * w;
                                    for (int xx = w0; xx < w1; xx++) sum += line[xx];
                                }
                                o[i * ow + j] = h0 >= h1 || w0 >= w1 ? 0 : sum / count;
                            }
                        }
                    }
                }
            });
        }
    }
}
