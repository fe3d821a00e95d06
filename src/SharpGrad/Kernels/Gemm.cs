using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// Single-precision matrix multiply, C (m×n) (+)= A (m×k) · B (k×n), BLIS style: B is packed into kc×NR panels
/// and A into kc×MR panels, a register-blocked micro-kernel multiplies one panel pair, and the loops around it
/// block for the caches (NC columns of B in L3, an MC×KC block of A in L2, one B panel in L1). A and B are given
/// by row and column strides, so every transpose variant reads its operand in place; C is row-major.
/// Large products are split across <see cref="Parallelism.Threads"/> threads along the longer of m and n.
/// </summary>
public static unsafe class Gemm
{
    private const int KC = 256;
    private const int MC = 168; // 12 panels of 14 rows: 168×256 floats = 168 KB of A in L2
    private const int NC = 2048; // 256×2048 floats = 2 MB of B in L3

    /// <summary>Products with fewer multiply-adds than this skip packing (it costs more than it saves).</summary>
    private const long SmallWork = 48 * 48 * 48;

    /// <summary>
    /// Products with fewer multiply-adds than this run on one thread. Measured on the 2-core machine: the MLP's
    /// 256×784×30 products (6M) average 165 µs on one thread and 260-290 µs on two (best case 93 µs), so two
    /// threads pay only from about 16M on.
    /// </summary>
    private const long ParallelWork = 1 << 24;

    /// <summary>The micro-kernel in use: its tile and entry point.</summary>
    internal readonly struct MicroKernel(int mr, int nr, delegate*<int, float*, float*, float*, int, bool, void> run, string name)
    {
        public readonly int MR = mr, NR = nr;
        public readonly delegate*<int, float*, float*, float*, int, bool, void> Run = run;
        public readonly string Name = name;
    }

    internal static MicroKernel Kernel { get; } = SelectKernel();

    private static MicroKernel SelectKernel()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return new(14, 32, &GemmMicroKernels.Kernel14x32, "Vector512 14x32 FMA");
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return new(6, 16, &GemmMicroKernels.Kernel6x16, "Vector256 6x16 FMA");
        return new(4, 8, &GemmMicroKernels.Kernel4x8, "Vector128 4x8");
    }

    /// <summary>Name of the micro-kernel this process uses (e.g. "Vector512 14x32 FMA").</summary>
    public static string KernelName => Kernel.Name;

    /// <summary>
    /// C (+)= A · B. A's element (i, p) is <c>a[i*rsA + p*csA]</c>, B's (p, j) is <c>b[p*rsB + j*csB]</c>,
    /// C's (i, j) is <c>c[i*ldc + j]</c>. With <paramref name="accumulate"/> false, C is overwritten.
    /// </summary>
    public static void Multiply(Span<float> c, int ldc, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB,
        int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        CheckExtent(c.Length, (long)(m - 1) * ldc + n, "C");
        if (k > 0)
        {
            CheckExtent(a.Length, (long)(m - 1) * rsA + (long)(k - 1) * csA + 1, "A");
            CheckExtent(b.Length, (long)(k - 1) * rsB + (long)(n - 1) * csB + 1, "B");
        }
        fixed (float* pc = c, pa = a, pb = b)
            Multiply(pc, ldc, pa, rsA, csA, pb, rsB, csB, m, n, k, accumulate);
    }

    private static void CheckExtent(int length, long needed, string name)
    {
        if (needed > length) throw new ArgumentException($"Gemm: operand {name} needs {needed} elements for its shape and strides but has {length}.");
    }

    internal static void Multiply(float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            return;
        }
        long work = (long)m * n * k;
        if (n == 1 && csA == 1) { Gemv(c, ldc, a, rsA, b, rsB, m, k, accumulate); return; }
        if (work < SmallWork) { Unpacked(c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate); return; }

        MicroKernel kernel = Kernel;
        int threads = work < ParallelWork ? 1 : Parallelism.Threads;
        bool splitM = m >= n;
        int extent = splitM ? m : n, align = splitM ? kernel.MR : kernel.NR;
        // Several pieces per thread, claimed dynamically: on a shared machine one core is often slower, and a
        // static half-and-half split would wait for it. Each piece repacks the shared operand, which is cheap.
        int pieces = threads == 1 ? 1 : Math.Min(threads * 4, Math.Max(1, extent / (2 * align)));
        int chunk = (extent + pieces - 1) / pieces;
        chunk = (chunk + align - 1) / align * align;
        pieces = (extent + chunk - 1) / chunk;
        if (pieces <= 1)
        {
            Packed(kernel, c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate);
            return;
        }
        WorkerPool.Run(pieces, t =>
        {
            int start = t * chunk, len = Math.Min(extent, start + chunk) - start;
            if (len <= 0) return;
            if (splitM) Packed(kernel, c + (long)start * ldc, ldc, a + (long)start * rsA, rsA, csA, b, rsB, csB, len, n, k, accumulate);
            else Packed(kernel, c + start, ldc, a, rsA, csA, b + (long)start * csB, rsB, csB, m, len, k, accumulate);
        });
    }

    [ThreadStatic] private static float* t_packA;
    [ThreadStatic] private static float* t_packB;

    private static float* Buffer(ref float* slot, int floats)
    {
        // One buffer per thread for the life of the process, sized for the largest micro-kernel tile.
        if (slot == null) slot = (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
        return slot;
    }

    private static void Packed(in MicroKernel kernel, float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB,
        int m, int n, int k, bool accumulate)
    {
        int mr = kernel.MR, nr = kernel.NR;
        float* packA = Buffer(ref t_packA, (MC + 14) * KC);
        float* packB = Buffer(ref t_packB, KC * (NC + 32));
        float* edge = stackalloc float[14 * 32];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool acc = accumulate || pc > 0;
                PackB(packB, b + (long)pc * rsB + (long)jc * csB, rsB, csB, kc, nc, nr);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(packA, a + (long)ic * rsA + (long)pc * csA, rsA, csA, mc, kc, mr);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nn = Math.Min(nr, nc - jr);
                        float* bp = packB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mm = Math.Min(mr, mc - ir);
                            float* ap = packA + (long)ir * kc;
                            float* ct = c + (long)(ic + ir) * ldc + jc + jr;
                            if (mm == mr && nn == nr)
                            {
                                kernel.Run(kc, ap, bp, ct, ldc, acc);
                            }
                            else
                            {
                                kernel.Run(kc, ap, bp, edge, nr, false);
                                for (int i = 0; i < mm; i++)
                                {
                                    var src = new ReadOnlySpan<float>(edge + i * nr, nn);
                                    var dst = new Span<float>(ct + (long)i * ldc, nn);
                                    if (acc) TensorPrimitives.Add(dst, src, dst);
                                    else src.CopyTo(dst);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // dst: ceil(mc/mr) panels, each (kc, mr) row-major; rows past mc are zero.
    private static void PackA(float* dst, float* a, int rsA, int csA, int mc, int kc, int mr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = dst + (long)i0 * kc;
            if (rsA == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + i0 + (long)p * csA;
                    float* d = panel + p * mr;
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0;
                }
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (long)(i0 + i) * rsA;
                    float* d = panel + i;
                    if (csA == 1) for (int p = 0; p < kc; p++) d[p * mr] = src[p];
                    else for (int p = 0; p < kc; p++) d[p * mr] = src[(long)p * csA];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) panel[p * mr + i] = 0;
            }
        }
    }

    // dst: ceil(nc/nr) panels, each (kc, nr) row-major; columns past nc are zero.
    private static void PackB(float* dst, float* b, int rsB, int csB, int kc, int nc, int nr)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + (long)j0 * kc;
            if (csB == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    var src = new ReadOnlySpan<float>(b + (long)p * rsB + j0, cols);
                    var d = new Span<float>(panel + p * nr, nr);
                    src.CopyTo(d);
                    if (cols < nr) d[cols..].Clear();
                }
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (long)(j0 + j) * csB;
                    float* d = panel + j;
                    if (rsB == 1) for (int p = 0; p < kc; p++) d[p * nr] = src[p];
                    else for (int p = 0; p < kc; p++) d[p * nr] = src[(long)p * rsB];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = 0;
            }
        }
    }

    // c (m, 1) (+)= a (m, k), rows contiguous · b (k)
    private static void Gemv(float* c, int ldc, float* a, int rsA, float* b, int rsB, int m, int k, bool accumulate)
    {
        float[]? gathered = null;
        ReadOnlySpan<float> x;
        if (rsB == 1) x = new ReadOnlySpan<float>(b, k);
        else
        {
            gathered = new float[k];
            for (int p = 0; p < k; p++) gathered[p] = b[(long)p * rsB];
            x = gathered;
        }
        for (int i = 0; i < m; i++)
        {
            float dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(a + (long)i * rsA, k), x);
            c[(long)i * ldc] = accumulate ? c[(long)i * ldc] + dot : dot;
        }
    }

    // Small products: row i of C accumulates a[i,p] * row p of B, vectorised along n when B's rows are contiguous.
    private static void Unpacked(float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var crow = new Span<float>(c + (long)i * ldc, n);
            if (!accumulate) crow.Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = a[(long)i * rsA + (long)p * csA];
                if (csB == 1) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + (long)p * rsB, n), aip, crow, crow);
                else
                {
                    float* bp = b + (long)p * rsB;
                    for (int j = 0; j < n; j++) crow[j] += aip * bp[(long)j * csB];
                }
            }
        }
    }
}
