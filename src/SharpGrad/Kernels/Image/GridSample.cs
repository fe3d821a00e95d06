using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpGrad.Data.Images;

namespace SharpGrad.Kernels;

/// <summary>
/// Bilinear sampling of images at arbitrary points (PyTorch's <c>grid_sample(mode='bilinear', align_corners=True)</c>),
/// the one resampling pass of fastai's batch augmentation. Points are in [-1, 1] (x across, y down; -1 and 1 are the
/// centres of the edge pixels); outside the image the padding mode decides: zeros, the border pixel, or a reflection.
/// </summary>
internal static unsafe class GridSample
{
    /// <summary>
    /// dst (C, OH, OW) = src (C, H, W) sampled at grid (OH, OW, 2). The fast path: each output pixel's four taps and
    /// weights are computed once and reused for every channel (the reference recomputes them per channel); with AVX2,
    /// eight output pixels at a time whose taps all lie inside the image, their samples fetched by gathers. Both paths
    /// add the same products in the same order, without fused multiply-adds, so they agree with the reference bitwise.
    /// </summary>
    public static void Bilinear(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<float> grid, int channels, int h, int w, int oh, int ow, PadMode pad)
    {
        int plane = h * w, outPlane = oh * ow;
        if (src.Length < channels * plane || dst.Length < channels * outPlane || grid.Length < 2 * outPlane)
            throw new ArgumentException($"GridSample: buffers too small for {channels}x{h}x{w} -> {channels}x{oh}x{ow}.");
        int p = Avx2.IsSupported ? Inside8(dst, src, grid, channels, h, w, outPlane, pad) : 0;
        for (; p < outPlane; p++) Scalar(dst, src, grid, channels, h, w, outPlane, pad, p);
    }

    /// <summary>One output pixel, all channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<float> grid, int channels, int h, int w, int outPlane, PadMode pad, int p)
    {
        int plane = h * w;
        Taps t = TapsAt(grid[2 * p], grid[2 * p + 1], h, w, pad);
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> s = src.Slice(c * plane, plane);
            float v = 0;
            if (t.I00 >= 0) v += s[t.I00] * t.W00;
            if (t.I01 >= 0) v += s[t.I01] * t.W01;
            if (t.I10 >= 0) v += s[t.I10] * t.W10;
            if (t.I11 >= 0) v += s[t.I11] * t.W11;
            dst[c * outPlane + p] = v;
        }
    }

    /// <summary>
    /// The AVX2 path over groups of eight output pixels: a group whose points all lie inside the image (where every
    /// padding mode is the identity) is sampled with gathers; any other group falls back to <see cref="Scalar"/>, so the
    /// padding rules live in one place. Returns how many pixels it covered (a multiple of eight).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Inside8(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<float> grid, int channels, int h, int w, int outPlane, PadMode pad)
    {
        int plane = h * w, groups = outPlane / 8;
        Vector256<float> one = Vector256.Create(1f), two = Vector256.Create(2f), zero = Vector256<float>.Zero;
        Vector256<float> wMax = Vector256.Create((float)(w - 1)), hMax = Vector256.Create((float)(h - 1));
        Vector256<int> deinterleave = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7), wLast = Vector256.Create(w - 1), hLast = Vector256.Create(h - 1);
        Vector256<int> stride = Vector256.Create(w);
        fixed (float* sp = src, dp = dst, gp = grid)
        {
            for (int g = 0; g < groups; g++)
            {
                int p = 8 * g;
                // [x0 y0 .. x3 y3], [x4 y4 .. x7 y7] -> x0..x7 and y0..y7.
                Vector256<float> lo = Avx2.PermuteVar8x32(Avx.LoadVector256(gp + 2 * p), deinterleave);
                Vector256<float> hi = Avx2.PermuteVar8x32(Avx.LoadVector256(gp + 2 * p + 8), deinterleave);
                Vector256<float> gx = Vector256.Create(lo.GetLower(), hi.GetLower()), gy = Vector256.Create(lo.GetUpper(), hi.GetUpper());
                // Unnormalize exactly as the scalar code: (g + 1) / 2 * (size - 1).
                Vector256<float> ix = (gx + one) / two * wMax, iy = (gy + one) / two * hMax;
                // NaN fails every comparison, so it takes the scalar path too.
                Vector256<float> inside = Avx.CompareGreaterThanOrEqual(ix, zero) & Avx.CompareLessThanOrEqual(ix, wMax)
                                        & Avx.CompareGreaterThanOrEqual(iy, zero) & Avx.CompareLessThanOrEqual(iy, hMax);
                if (Avx.MoveMask(inside) != 0xFF)
                {
                    for (int q = p; q < p + 8; q++) Scalar(dst, src, grid, channels, h, w, outPlane, pad, q);
                    continue;
                }
                Vector256<float> fx = Avx.Floor(ix), fy = Avx.Floor(iy);
                Vector256<float> tx = ix - fx, ty = iy - fy, ux = one - tx, uy = one - ty;
                Vector256<float> w00 = ux * uy, w01 = tx * uy, w10 = ux * ty, w11 = tx * ty;
                Vector256<int> x0 = Avx.ConvertToVector256Int32WithTruncation(fx), y0 = Avx.ConvertToVector256Int32WithTruncation(fy);
                // At the last column or row the second tap's weight is exactly 0: read the edge again instead of past it.
                Vector256<int> x1 = Vector256.Min(x0 + Vector256<int>.One, wLast), y1 = Vector256.Min(y0 + Vector256<int>.One, hLast);
                Vector256<int> r0 = y0 * stride, r1 = y1 * stride;
                Vector256<int> i00 = r0 + x0, i01 = r0 + x1, i10 = r1 + x0, i11 = r1 + x1;
                for (int c = 0; c < channels; c++)
                {
                    float* s = sp + c * plane;
                    Vector256<float> v = Avx2.GatherVector256(s, i00, 4) * w00;
                    v += Avx2.GatherVector256(s, i01, 4) * w01;
                    v += Avx2.GatherVector256(s, i10, 4) * w10;
                    v += Avx2.GatherVector256(s, i11, 4) * w11;
                    Avx.Store(dp + c * outPlane + p, v);
                }
            }
        }
        return groups * 8;
    }

    /// <summary>The same, one channel and one sample at a time, following PyTorch's formulas literally (what tests compare against).</summary>
    public static void BilinearReference(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<float> grid, int channels, int h, int w, int oh, int ow, PadMode pad)
    {
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < oh * ow; p++)
            {
                float ix = Unnormalize(grid[2 * p], w, pad), iy = Unnormalize(grid[2 * p + 1], h, pad);
                int x0 = (int)MathF.Floor(ix), y0 = (int)MathF.Floor(iy);
                float tx = ix - x0, ty = iy - y0;
                float v = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                    {
                        int x = x0 + dx, y = y0 + dy;
                        if (x < 0 || x >= w || y < 0 || y >= h) continue; // zeros outside (other modes never land outside)
                        float weight = (dx == 1 ? tx : 1 - tx) * (dy == 1 ? ty : 1 - ty);
                        v += src[c * h * w + y * w + x] * weight;
                    }
                dst[c * oh * ow + p] = v;
            }
    }

    /// <summary>Four source indices (-1: outside, contributes zero) and their bilinear weights.</summary>
    private readonly record struct Taps(int I00, int I01, int I10, int I11, float W00, float W01, float W10, float W11);

    private static Taps TapsAt(float gx, float gy, int h, int w, PadMode pad)
    {
        float ix = Unnormalize(gx, w, pad), iy = Unnormalize(gy, h, pad);
        int x0 = (int)MathF.Floor(ix), y0 = (int)MathF.Floor(iy);
        float tx = ix - x0, ty = iy - y0;
        int x1 = x0 + 1, y1 = y0 + 1;
        bool inX0 = x0 >= 0 && x0 < w, inX1 = x1 >= 0 && x1 < w, inY0 = y0 >= 0 && y0 < h, inY1 = y1 >= 0 && y1 < h;
        return new Taps(
            inX0 && inY0 ? y0 * w + x0 : -1, inX1 && inY0 ? y0 * w + x1 : -1,
            inX0 && inY1 ? y1 * w + x0 : -1, inX1 && inY1 ? y1 * w + x1 : -1,
            (1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty);
    }

    /// <summary>A grid coordinate in [-1, 1] to a pixel coordinate (align_corners=True), moved inside for border and reflection padding as PyTorch does.</summary>
    internal static float Unnormalize(float g, int size, PadMode pad)
    {
        float i = (g + 1) / 2 * (size - 1);
        if (pad == PadMode.Zeros || (i >= 0 && i <= size - 1)) return i; // inside, reflecting and clamping change nothing
        if (pad == PadMode.Reflection) i = Reflect(i, 0, 2 * (size - 1));
        return Math.Clamp(i, 0, size - 1);
    }

    /// <summary>PyTorch's reflect_coordinates: mirrors <paramref name="x"/> into [twiceLow/2, twiceHigh/2].</summary>
    private static float Reflect(float x, int twiceLow, int twiceHigh)
    {
        if (twiceLow == twiceHigh) return 0;
        float min = twiceLow / 2f, span = (twiceHigh - twiceLow) / 2f;
        x = MathF.Abs(x - min);
        float extra = x % span;
        int flips = (int)MathF.Floor(x / span);
        return flips % 2 == 0 ? extra + min : span - extra + min;
    }
}
