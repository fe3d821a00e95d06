using ILGPU;
using ILGPU.Runtime;

namespace SharpGrad.Cuda;

/// <summary>
/// What a launch of <see cref="GpuGemm.Kernel"/> computes: a plain product, or one of the three products a 2-D
/// convolution is made of, with the operands gathered from NCHW tensors on the fly (implicit GEMM: no im2col matrix).
/// </summary>
internal enum GemmMode
{
    /// <summary>C (M×N, row-major) = A · B, each read through row and column strides.</summary>
    Plain,

    /// <summary>Convolution forward, one group: y[n, oc, oh, ow] = Σ w[oc, (c, kh, kw)] · x[n, c, ih, iw] (+ bias).</summary>
    ConvForward,

    /// <summary>Input gradient, one group: dx[n, c, ih, iw] = Σ w[oc, c, kh, kw] · dy[n, oc, oh, ow] over the (oc, kh, kw) that reach it.</summary>
    ConvInputGrad,

    /// <summary>Weight gradient, one group: dw[oc, (c, kh, kw)] = Σ over (n, oh, ow) of dy[n, oc, oh, ow] · x[n, c, ih, iw].</summary>
    ConvWeightGrad,
}

/// <summary>A convolution's geometry (PyTorch's conv2d arguments and the output size).</summary>
internal readonly record struct ConvShape(int N, int C, int H, int W, int OC, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW,
    int Groups, int OH, int OW)
{
    public int Cg => C / Groups;

    public int OCg => OC / Groups;
}

/// <summary>The shape and operand strides of one matrix product, passed as one kernel argument.</summary>
internal readonly record struct GemmShape(int M, int N, int K, int RsA, int CsA, int RsB, int CsB, GemmMode Mode = GemmMode.Plain,
    ConvShape Conv = default, int Group = 0, int HasBias = 0);

/// <summary>
/// C = A · B, tiled and register-blocked: a group of 16×16 threads computes a 64×64 tile of C, each thread a 4×4 block,
/// stepping through K 16 at a time with the A and B panels staged in shared memory (each element loaded from global
/// memory once per tile, read 64 times from shared memory). Out-of-range rows, columns and K load as zeros, so any
/// shape works. The operands are plain strided matrices or, for a convolution (<see cref="GemmMode"/>), gathered from
/// the NCHW tensors as they load, so the same tiles serve the forward pass and both gradients. Each C element sums its
/// K products in increasing k: deterministic, no atomics.
/// </summary>
internal static class GpuGemm
{
    private const int Tile = 64, Depth = 16, Threads = 16, Per = Tile / Threads; // 4x4 outputs per thread

    /// <summary>The launch: one group per 64×64 tile of C.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile), new Index2D(Threads, Threads));

    public static void Kernel(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, GemmShape s)
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
                int k = k0 + e / Tile, rc = e % Tile;
                As[e] = k < s.K && row0 + rc < s.M ? LoadA(a, s, row0 + rc, k) : 0f;
                Bs[e] = k < s.K && col0 + rc < s.N ? LoadB(b, s, k, col0 + rc) : 0f;
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
        StoreRow(c, bias, s, rBase, cBase, c00, c01, c02, c03);
        StoreRow(c, bias, s, rBase + 1, cBase, c10, c11, c12, c13);
        StoreRow(c, bias, s, rBase + 2, cBase, c20, c21, c22, c23);
        StoreRow(c, bias, s, rBase + 3, cBase, c30, c31, c32, c33);
    }

    /// <summary>A (row, k): a matrix element, or a convolution's weight (forward, input gradient) or output gradient (weight gradient).</summary>
    private static float LoadA(ArrayView<float> a, GemmShape s, int row, int k)
    {
        ConvShape v = s.Conv;
        switch (s.Mode)
        {
            case GemmMode.Plain:
                return a[(long)row * s.RsA + (long)k * s.CsA];
            case GemmMode.ConvForward:
                // w[g·OCg + row, k], k = (c, kh, kw) within the group
                return a[((long)s.Group * v.OCg + row) * s.K + k];
            case GemmMode.ConvInputGrad:
            {
                // row = c within the group, k = (oc, kh, kw): w[g·OCg + oc, c, kh, kw]
                int taps = v.KH * v.KW, oc = k / taps, t = k % taps;
                return a[(((long)s.Group * v.OCg + oc) * v.Cg + row) * taps + t];
            }
            default:
            {
                // row = oc within the group, k = (n, oh, ow): dy[n, g·OCg + oc, oh, ow]
                int pixels = v.OH * v.OW, n = k / pixels, p = k % pixels;
                return a[(((long)n * v.OC + (long)s.Group * v.OCg + row) * pixels) + p];
            }
        }
    }

    /// <summary>B (k, col): a matrix element, or the input (forward, weight gradient) or output gradient (input gradient) gathered by a tap.</summary>
    private static float LoadB(ArrayView<float> b, GemmShape s, int k, int col)
    {
        ConvShape v = s.Conv;
        switch (s.Mode)
        {
            case GemmMode.Plain:
                return b[(long)k * s.RsB + (long)col * s.CsB];
            case GemmMode.ConvForward:
            {
                // k = (c, kh, kw), col = (n, oh, ow): x[n, g·Cg + c, oh·sh - ph + kh·dh, ow·sw - pw + kw·dw]
                int taps = v.KH * v.KW, c = k / taps, t = k % taps;
                int pixels = v.OH * v.OW, n = col / pixels, p = col % pixels;
                return Input(b, v, n, s.Group * v.Cg + c, p / v.OW * v.SH - v.PH + t / v.KW * v.DH, p % v.OW * v.SW - v.PW + t % v.KW * v.DW);
            }
            case GemmMode.ConvInputGrad:
            {
                // k = (oc, kh, kw), col = (n, ih, iw): dy[n, g·OCg + oc, oh, ow] where ih = oh·sh - ph + kh·dh (likewise w)
                int taps = v.KH * v.KW, oc = k / taps, t = k % taps;
                int image = v.H * v.W, n = col / image, q = col % image;
                int ohs = q / v.W + v.PH - t / v.KW * v.DH, ows = q % v.W + v.PW - t % v.KW * v.DW;
                if (ohs < 0 || ows < 0 || ohs % v.SH != 0 || ows % v.SW != 0) return 0f;
                int oh = ohs / v.SH, ow = ows / v.SW;
                if (oh >= v.OH || ow >= v.OW) return 0f;
                return b[(((long)n * v.OC + (long)s.Group * v.OCg + oc) * v.OH + oh) * v.OW + ow];
            }
            default:
            {
                // k = (n, oh, ow), col = (c, kh, kw): x[n, g·Cg + c, ih, iw]
                int pixels = v.OH * v.OW, n = k / pixels, p = k % pixels;
                int taps = v.KH * v.KW, c = col / taps, t = col % taps;
                return Input(b, v, n, s.Group * v.Cg + c, p / v.OW * v.SH - v.PH + t / v.KW * v.DH, p % v.OW * v.SW - v.PW + t % v.KW * v.DW);
            }
        }
    }

    /// <summary>x[n, c, ih, iw], or 0 in the padding.</summary>
    private static float Input(ArrayView<float> x, ConvShape v, int n, int c, int ih, int iw) =>
        ih < 0 || iw < 0 || ih >= v.H || iw >= v.W ? 0f : x[(((long)n * v.C + c) * v.H + ih) * v.W + iw];

    private static void StoreRow(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, float v0, float v1, float v2, float v3)
    {
        if (row >= s.M) return;
        Store(c, bias, s, row, col, v0);
        Store(c, bias, s, row, col + 1, v1);
        Store(c, bias, s, row, col + 2, v2);
        Store(c, bias, s, row, col + 3, v3);
    }

    /// <summary>C (row, col) = value: row-major for a plain product and the weight gradient, NCHW for the convolution's outputs.</summary>
    private static void Store(ArrayView<float> c, ArrayView<float> bias, GemmShape s, int row, int col, float value)
    {
        if (col >= s.N) return;
        ConvShape v = s.Conv;
        switch (s.Mode)
        {
            case GemmMode.Plain:
                c[(long)row * s.N + col] = value;
                return;
            case GemmMode.ConvForward:
            {
                int oc = s.Group * v.OCg + row, pixels = v.OH * v.OW, n = col / pixels, p = col % pixels;
                c[((long)n * v.OC + oc) * pixels + p] = s.HasBias != 0 ? value + bias[oc] : value;
                return;
            }
            case GemmMode.ConvInputGrad:
            {
                int image = v.H * v.W, n = col / image, q = col % image;
                c[((long)n * v.C + (long)s.Group * v.Cg + row) * image + q] = value;
                return;
            }
            default:
                c[((long)s.Group * v.OCg + row) * s.N + col] = value;
                return;
        }
    }
}
