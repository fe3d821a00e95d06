using SharpGrad.Data.Images;

namespace SharpGrad.Kernels;

/// <summary>
/// Bilinear sampling of images at arbitrary points (PyTorch's <c>grid_sample(mode='bilinear', align_corners=True)</c>),
/// the one resampling pass of fastai's batch augmentation. Points are in [-1, 1] (x across, y down; -1 and 1 are the
/// centres of the edge pixels); outside the image the padding mode decides: zeros, the border pixel, or a reflection.
/// </summary>
internal static class GridSample
{
    /// <summary>
    /// dst (C, OH, OW) = src (C, H, W) sampled at grid (OH, OW, 2). The fast path: each output pixel's four taps and
    /// weights are computed once and reused for every channel (the reference recomputes them per channel).
    /// </summary>
    public static void Bilinear(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<float> grid, int channels, int h, int w, int oh, int ow, PadMode pad)
    {
        int plane = h * w, outPlane = oh * ow;
        for (int p = 0; p < outPlane; p++)
        {
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
