using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// Out-of-place 2-D transpose of a strided float matrix: with AVX-512, 16×16 tiles are transposed in registers
/// (<see cref="GemmPack512.Transpose16"/>); with AVX, full 8×8 tiles in registers and the edges element by element;
/// otherwise element by element.
/// </summary>
internal static unsafe class Transpose
{
    /// <summary><c>dst[j*ldDst + i] = src[i*ldSrc + j]</c> for i &lt; <paramref name="rows"/>, j &lt; <paramref name="cols"/>.</summary>
    public static void Run(float* dst, nint ldDst, float* src, nint ldSrc, int rows, int cols)
    {
        if (Avx512F.IsSupported)
        {
            for (int i0 = 0; i0 < rows; i0 += 16)
            {
                int vecs = Math.Min(16, rows - i0);
                for (int j0 = 0; j0 < cols; j0 += 16)
                    GemmPack512.Transpose16(src + i0 * ldSrc + j0, ldSrc, vecs, Math.Min(16, cols - j0), dst + j0 * ldDst + i0, ldDst, vecs);
            }
            return;
        }
        int fullRows = 0, fullCols = 0;
        if (Avx.IsSupported)
        {
            fullRows = rows & ~7;
            fullCols = cols & ~7;
            for (int i0 = 0; i0 < fullRows; i0 += 8)
                for (int j0 = 0; j0 < fullCols; j0 += 8)
                    Transpose8(src + i0 * ldSrc + j0, ldSrc, dst + j0 * ldDst + i0, ldDst);
        }
        // what the tiles left: the columns past fullCols of the tiled rows, then the rows past fullRows
        Elements(dst, ldDst, src, ldSrc, 0, fullRows, fullCols, cols);
        Elements(dst, ldDst, src, ldSrc, fullRows, rows, 0, cols);
    }

    private static void Elements(float* dst, nint ldDst, float* src, nint ldSrc, int i0, int i1, int j0, int j1)
    {
        for (int i = i0; i < i1; i++)
        {
            float* row = src + i * ldSrc;
            for (int j = j0; j < j1; j++) dst[j * ldDst + i] = row[j];
        }
    }

    /// <summary>One 8×8 tile: rows of 8 floats <paramref name="ldSrc"/> apart become columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8(float* src, nint ldSrc, float* dst, nint ldDst) =>
        Transpose8(Avx.LoadVector256(src), Avx.LoadVector256(src + ldSrc), Avx.LoadVector256(src + 2 * ldSrc), Avx.LoadVector256(src + 3 * ldSrc),
            Avx.LoadVector256(src + 4 * ldSrc), Avx.LoadVector256(src + 5 * ldSrc), Avx.LoadVector256(src + 6 * ldSrc), Avx.LoadVector256(src + 7 * ldSrc),
            dst, ldDst);

    /// <summary>Rows r0..r7 (8 floats each) become columns: column j stored as 8 floats at <c>dst + j·ldDst</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint ldDst)
    {
        // within each 128-bit half: interleave row pairs, then gather four rows per column
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        // u(c) holds column c (low half: rows 0-3 of u0..u3; u4..u7 rows 4-7) and column c + 4 in the high half
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldDst, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldDst, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldDst, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldDst, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldDst, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldDst, Avx.Permute2x128(u3, u7, 0x31));
    }
}
