using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// AVX-512 packing for the operands whose packed layout is their transpose: B stored by columns (a Linear's Wᵀ) and
/// A stored by rows. Sixteen 16-float source vectors are transposed in registers (64 shuffles) and written out as
/// panel rows, instead of one scalar store per element with a 128-byte stride.
/// </summary>
internal static unsafe class GemmPack512
{
    /// <summary>
    /// B (p, j) at <c>b[p + j*csB]</c>, kc × nc, into panels of 32 columns (panel j0 at <c>dst + j0*kc</c>, rows 32
    /// floats apart); columns past nc are zero.
    /// </summary>
    internal static void PackBColumns(float* dst, float* b, nint csB, int kc, int nc)
    {
        for (int j0 = 0; j0 < nc; j0 += 32)
        {
            float* panel = dst + (long)j0 * kc;
            for (int h = 0; h < 32; h += 16)
            {
                int vecs = Math.Clamp(nc - j0 - h, 0, 16);
                float* src = b + (j0 + h) * csB;
                for (int p0 = 0; p0 < kc; p0 += 16)
                    Transpose16(src + p0, csB, vecs, Math.Min(16, kc - p0), panel + p0 * 32 + h, 32, 16);
            }
        }
    }

    /// <summary>One panel of A: rows (i, p) at <c>a[i*rsA + p]</c>, i &lt; rows ≤ mr, into (kc, mr) with zero rows past <paramref name="rows"/>.</summary>
    internal static void PackARows(float* panel, float* a, nint rsA, int rows, int kc, int mr)
    {
        for (int p0 = 0; p0 < kc; p0 += 16)
            Transpose16(a + p0, rsA, rows, Math.Min(16, kc - p0), panel + p0 * mr, mr, mr);
    }

    /// <summary>One panel of A stored by columns: (i, p) at <c>a[i + p*csA]</c>, i &lt; rows ≤ mr ≤ 16, into (kc, mr).</summary>
    internal static void PackAColumns(float* panel, float* a, nint csA, int rows, int kc, int mr)
    {
        Vector512<float> load = Mask(rows), store = Mask(mr);
        for (int p = 0; p < kc; p++)
            Avx512F.MaskStore(panel + p * mr, store, Avx512F.MaskLoad(a + p * csA, load, Vector512<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>
    /// Source vector i (i &lt; <paramref name="vecs"/>, the rest zero) is <paramref name="len"/> floats at
    /// <c>src + i*srcStride</c>; output q (q &lt; len) — element i of every source vector's q-th float — is stored as
    /// <paramref name="width"/> floats at <c>dst + q*dstStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose16(float* src, nint srcStride, int vecs, int len, float* dst, nint dstStride, int width)
    {
        Vector512<float> lm = Mask(len);
        Vector512<float> r0 = Row(src, 0, srcStride, vecs, len, lm), r1 = Row(src, 1, srcStride, vecs, len, lm);
        Vector512<float> r2 = Row(src, 2, srcStride, vecs, len, lm), r3 = Row(src, 3, srcStride, vecs, len, lm);
        Vector512<float> r4 = Row(src, 4, srcStride, vecs, len, lm), r5 = Row(src, 5, srcStride, vecs, len, lm);
        Vector512<float> r6 = Row(src, 6, srcStride, vecs, len, lm), r7 = Row(src, 7, srcStride, vecs, len, lm);
        Vector512<float> r8 = Row(src, 8, srcStride, vecs, len, lm), r9 = Row(src, 9, srcStride, vecs, len, lm);
        Vector512<float> r10 = Row(src, 10, srcStride, vecs, len, lm), r11 = Row(src, 11, srcStride, vecs, len, lm);
        Vector512<float> r12 = Row(src, 12, srcStride, vecs, len, lm), r13 = Row(src, 13, srcStride, vecs, len, lm);
        Vector512<float> r14 = Row(src, 14, srcStride, vecs, len, lm), r15 = Row(src, 15, srcStride, vecs, len, lm);

        // Within each 128-bit lane L: interleave pairs of rows, then gather four rows per column 4L + c.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        // u(4b + c), lane L: rows 4b..4b+3 of column 4L + c
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44), u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        Vector512<float> u2 = Avx512F.Shuffle(t1, t3, 0x44), u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44), u5 = Avx512F.Shuffle(t4, t6, 0xEE);
        Vector512<float> u6 = Avx512F.Shuffle(t5, t7, 0x44), u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44), u9 = Avx512F.Shuffle(t8, t10, 0xEE);
        Vector512<float> u10 = Avx512F.Shuffle(t9, t11, 0x44), u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44), u13 = Avx512F.Shuffle(t12, t14, 0xEE);
        Vector512<float> u14 = Avx512F.Shuffle(t13, t15, 0x44), u15 = Avx512F.Shuffle(t13, t15, 0xEE);

        Vector512<float> sm = Mask(width);
        Columns(u0, u4, u8, u12, 0, dst, dstStride, len, sm);
        Columns(u1, u5, u9, u13, 1, dst, dstStride, len, sm);
        Columns(u2, u6, u10, u14, 2, dst, dstStride, len, sm);
        Columns(u3, u7, u11, u15, 3, dst, dstStride, len, sm);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* src, int i, nint stride, int vecs, int len, Vector512<float> mask)
    {
        if (i >= vecs) return Vector512<float>.Zero;
        float* p = src + i * stride;
        return len == 16 ? Vector512.Load(p) : Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);
    }

    // Rows 0-3, 4-7, 8-11, 12-15 of columns c, 4 + c, 8 + c, 12 + c: lane L of each u holds column 4L + c.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> ua, Vector512<float> ub, Vector512<float> uc, Vector512<float> ud, int c,
        float* dst, nint stride, int len, Vector512<float> mask)
    {
        Vector512<float> v0 = Avx512F.Shuffle4x128(ua, ub, 0x88), w0 = Avx512F.Shuffle4x128(ua, ub, 0xDD);
        Vector512<float> v1 = Avx512F.Shuffle4x128(uc, ud, 0x88), w1 = Avx512F.Shuffle4x128(uc, ud, 0xDD);
        Store(Avx512F.Shuffle4x128(v0, v1, 0x88), c, dst, stride, len, mask);
        Store(Avx512F.Shuffle4x128(w0, w1, 0x88), 4 + c, dst, stride, len, mask);
        Store(Avx512F.Shuffle4x128(v0, v1, 0xDD), 8 + c, dst, stride, len, mask);
        Store(Avx512F.Shuffle4x128(w0, w1, 0xDD), 12 + c, dst, stride, len, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> v, int q, float* dst, nint stride, int len, Vector512<float> mask)
    {
        if (q < len) Avx512F.MaskStore(dst + q * stride, mask, v);
    }
}
