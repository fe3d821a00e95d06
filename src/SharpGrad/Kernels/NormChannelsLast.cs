using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// Evaluation-mode batch norm of channels-last (N, H, W, C) images: each pixel's C channels are one row, normalised
/// against per-channel vectors, so a conv's channels-last output is normalised in place of its layout.
/// </summary>
internal static unsafe class NormChannelsLast
{
    /// <summary>Floats a pixel loop must touch before it is split over the cores.</summary>
    private const int PixelWork = 1 << 14;

    /// <summary>
    /// y (P, C) = (x - mean) · scale + shift, plus residual (P, C) when not null, then max(y, 0) when relu; mean, scale,
    /// shift (C). The products and sums round one at a time (no fused multiply-add), as the (N, C, H, W) kernel's rows
    /// do (<see cref="NormRows.Subtract"/>, <see cref="NormRows.ScaleShift"/>), so both layouts give the same floats.
    /// </summary>
    public static void EvalForward(float* y, float* x, float* residual, float* mean, float* scale, float* shift, long pixels, int c, bool relu)
    {
        if (pixels > int.MaxValue) throw new ArgumentException($"BatchNorm: {pixels} pixels is more than one call handles.");
        Parallelism.For((int)pixels, Math.Max(1, PixelWork / Math.Max(c, 1)), 1, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
                Row(y + p * c, x + p * c, residual == null ? null : residual + p * c, mean, scale, shift, c, relu);
        });
    }

    /// <summary>One pixel's row of <see cref="EvalForward"/> (y may be x: each vector is read before it is written).</summary>
    internal static void Row(float* y, float* x, float* residual, float* mean, float* scale, float* shift, int c, bool relu)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= c; i += 16)
            {
                Vector512<float> t = (Vector512.Load(x + i) - Vector512.Load(mean + i)) * Vector512.Load(scale + i) + Vector512.Load(shift + i);
                if (residual != null) t += Vector512.Load(residual + i);
                if (relu) t = Vector512.Max(t, Vector512<float>.Zero);
                t.Store(y + i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= c; i += 8)
            {
                Vector256<float> t = (Vector256.Load(x + i) - Vector256.Load(mean + i)) * Vector256.Load(scale + i) + Vector256.Load(shift + i);
                if (residual != null) t += Vector256.Load(residual + i);
                if (relu) t = Vector256.Max(t, Vector256<float>.Zero);
                t.Store(y + i);
            }
        for (; i < c; i++)
        {
            float t = (x[i] - mean[i]) * scale[i] + shift[i];
            if (residual != null) t += residual[i];
            y[i] = relu ? MathF.Max(t, 0f) : t;
        }
    }
}
