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
}
