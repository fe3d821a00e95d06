using ILGPU;
using ILGPU.Runtime;

namespace SharpGrad.Cuda;

/// <summary>The shape and operand strides of one matrix product, passed as one kernel argument.</summary>
internal readonly record struct GemmShape(int M, int N, int K, int RsA, int CsA, int RsB, int CsB);

/// <summary>
/// C (M×N, row-major) = A (M×K) · B (K×N) with any strides (transposes cost nothing), tiled and register-blocked: a
/// group of 16×16 threads computes a 64×64 tile of C, each thread a 4×4 block, stepping through K 16 at a time with
/// the A and B panels staged in shared memory (each element loaded from global memory once per tile, read 64 times
/// from shared memory). Out-of-range rows, columns and K are loaded as zeros, so any shape works. Each C element sums
/// its K products in increasing k, one multiply and one add at a time.
/// </summary>
internal static class GpuGemm
{
    private const int Tile = 64, Depth = 16, Threads = 16, Per = Tile / Threads; // 4x4 outputs per thread

    /// <summary>The launch: one group per 64×64 tile of C.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile), new Index2D(Threads, Threads));

    public static void Kernel(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, GemmShape s)
    {
        var As = SharedMemory.Allocate<float>(Depth * Tile); // [k][row]
        var Bs = SharedMemory.Allocate<float>(Depth * Tile); // [k][col]
        int tx = Group.IdxX, ty = Group.IdxY;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile;
        int flat = ty * Threads + tx; // 0..255

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < s.K; k0 += Depth)
        {
            // 256 threads load the 16x64 panels of A and B, 4 elements each.
            for (int e = flat; e < Depth * Tile; e += Threads * Threads)
            {
                int kk = e / Tile, rc = e % Tile;
                int k = k0 + kk;
                int r = row0 + rc, col = col0 + rc;
                As[e] = k < s.K && r < s.M ? a[(long)r * s.RsA + (long)k * s.CsA] : 0f;
                Bs[e] = k < s.K && col < s.N ? b[(long)k * s.RsB + (long)col * s.CsB] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < Depth; kk++)
            {
                int ao = kk * Tile + ty * Per, bo = kk * Tile + tx * Per;
                float a0 = As[ao], a1 = As[ao + 1], a2 = As[ao + 2], a3 = As[ao + 3];
                float b0 = Bs[bo], b1 = Bs[bo + 1], b2 = Bs[bo + 2], b3 = Bs[bo + 3];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        int rBase = row0 + ty * Per, cBase = col0 + tx * Per;
        Store(c, s, rBase, cBase, c00, c01, c02, c03);
        Store(c, s, rBase + 1, cBase, c10, c11, c12, c13);
        Store(c, s, rBase + 2, cBase, c20, c21, c22, c23);
        Store(c, s, rBase + 3, cBase, c30, c31, c32, c33);
    }

    private static void Store(ArrayView<float> c, GemmShape s, int r, int col, float v0, float v1, float v2, float v3)
    {
        if (r >= s.M) return;
        long o = (long)r * s.N + col;
        if (col < s.N) c[o] = v0;
        if (col + 1 < s.N) c[o + 1] = v1;
        if (col + 2 < s.N) c[o + 2] = v2;
        if (col + 3 < s.N) c[o + 3] = v3;
    }
}
