using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// Max pooling of channels-last (N, H, W, C) images for inference: an output pixel is the lane-wise maximum of its
/// window's channel rows, so the C planes pool sixteen at a time with no transpose and no argmax kept.
/// </summary>
internal static unsafe class PoolChannelsLast
{
    /// <summary>Floats an output-row loop must touch before it is split over the cores.</summary>
    private const int RowWork = 1 << 14;

    /// <summary>
    /// y (N, OH, OW, C) = the maximum of x (N, H, W, C) over each window (padding never wins), visiting a window's
    /// pixels in the order <see cref="Pool"/>'s (N, C, H, W) loop does and taking a value when it is greater or NaN,
    /// so both layouts give the same floats, NaN included.
    /// </summary>
    public static void MaxForward(float* y, float* x, int n, int c, in Pool2dGeometry s)
    {
        Pool2dGeometry g = s;
        int oh = g.OH, ow = g.OW;
        Parallelism.For(n * oh, Math.Max(1, RowWork / Math.Max(1, ow * c * g.KH * g.KW)), 1, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int image = r / oh, i = r - image * oh;
                int h0 = Math.Max(i * g.StrideH - g.PadH, 0), h1 = Math.Min(i * g.StrideH - g.PadH + g.KH, g.H);
                float* src = x + (long)image * g.H * g.W * c;
                for (int j = 0; j < ow; j++)
                {
                    int w0 = Math.Max(j * g.StrideW - g.PadW, 0), w1 = Math.Min(j * g.StrideW - g.PadW + g.KW, g.W);
                    Window(y + ((long)r * ow + j) * c, src, g.W, c, h0, h1, w0, w1);
                }
            }
        });
    }

    private static void Window(float* dst, float* image, int w, int c, int h0, int h1, int w0, int w1)
    {
        int ch = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; ch + 16 <= c; ch += 16)
            {
                Vector512<float> max = Vector512.Create(float.NegativeInfinity);
                for (int yy = h0; yy < h1; yy++)
                    for (int xx = w0; xx < w1; xx++)
                    {
                        Vector512<float> v = Vector512.Load(image + ((long)yy * w + xx) * c + ch);
                        max = Vector512.ConditionalSelect(Vector512.GreaterThan(v, max) | ~Vector512.Equals(v, v), v, max);
                    }
                max.Store(dst + ch);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; ch + 8 <= c; ch += 8)
            {
                Vector256<float> max = Vector256.Create(float.NegativeInfinity);
                for (int yy = h0; yy < h1; yy++)
                    for (int xx = w0; xx < w1; xx++)
                    {
                        Vector256<float> v = Vector256.Load(image + ((long)yy * w + xx) * c + ch);
                        max = Vector256.ConditionalSelect(Vector256.GreaterThan(v, max) | ~Vector256.Equals(v, v), v, max);
                    }
                max.Store(dst + ch);
            }
        for (; ch < c; ch++)
        {
            float max = float.NegativeInfinity;
            for (int yy = h0; yy < h1; yy++)
                for (int xx = w0; xx < w1; xx++)
                {
                    float v = image[((long)yy * w + xx) * c + ch];
                    if (v > max || float.IsNaN(v)) max = v;
                }
            dst[ch] = max;
        }
    }
}
