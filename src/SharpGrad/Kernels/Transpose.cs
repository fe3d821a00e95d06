using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// Out-of-place 2-D transpose of a strided float matrix: with AVX-512, 16×16 tiles are transposed in registers
/// (<see cref="GemmPack512.Transpose16"/>); otherwise element by element.
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
        for (int i = 0; i < rows; i++)
        {
            float* row = src + i * ldSrc;
            for (int j = 0; j < cols; j++) dst[j * ldDst + i] = row[j];
        }
    }
}
