using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// Copy, clear and add for short float rows (tens to hundreds of floats) inside kernel loops, inlined: at these
/// lengths the call and dispatch of <c>Span.CopyTo</c> or <c>TensorPrimitives</c> cost as much as the work.
/// </summary>
internal static unsafe class FloatRow
{
    /// <summary>dst[0..n) = src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* dst, float* src, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512<float>.Zero, dst + i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256<float>.Zero, dst + i);
        for (; i < n; i++) dst[i] = 0;
    }

    /// <summary>dst[0..n) += src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(float* dst, float* src, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.Load(dst + i) + Vector512.Load(src + i), dst + i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>
    /// sums[q] = dot(rows + q·rowStride, w) over k floats for q &lt; count (1 to 4), each load of w shared by the rows:
    /// a weight row read once against a few activation rows. Vector256 partial sums, then the lanes, then the tail.
    /// </summary>
    public static void Dots(float* w, float* rows, nint rowStride, int count, int k, float* sums)
    {
        if (count < 1 || count > 4) throw new ArgumentOutOfRangeException(nameof(count), count, "FloatRow.Dots takes 1 to 4 rows.");
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* r1 = rows + (count > 1 ? rowStride : 0), r2 = rows + (count > 2 ? 2 * rowStride : 0), r3 = rows + (count > 3 ? 3 * rowStride : 0);
        int i = 0;
        for (; i + 8 <= k; i += 8)
        {
            var wv = Vector256.Load(w + i);
            a0 += wv * Vector256.Load(rows + i);
            a1 += wv * Vector256.Load(r1 + i);
            a2 += wv * Vector256.Load(r2 + i);
            a3 += wv * Vector256.Load(r3 + i);
        }
        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; i < k; i++)
        {
            s0 += w[i] * rows[i];
            s1 += w[i] * r1[i];
            s2 += w[i] * r2[i];
            s3 += w[i] * r3[i];
        }
        sums[0] = s0;
        if (count > 1) sums[1] = s1;
        if (count > 2) sums[2] = s2;
        if (count > 3) sums[3] = s3;
    }
}
