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
/// With AVX-512, narrow, short or L2-sized products skip packing A and stream it through the micro-kernel instead
/// (<see cref="Streamed"/>); that covers the MLP's 256×784×30 products and every product below the packed path's size.
/// Large products are split across <see cref="Parallelism.Threads"/> threads, along m when it is tall enough to
/// share each packed B block.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit] // the edge tiles are scratch: written before read, no need to zero 1.8 KB a call
public static unsafe partial class Gemm
{
    private const int KC = 256;
    private const int MC = 168; // 12 panels of 14 rows: 168×256 floats = 168 KB of A in L2
    private const int NC = 2048; // 256×2048 floats = 2 MB of B in L3

    /// <summary>
    /// Without AVX-512, products with fewer multiply-adds than this skip packing, as does a single row of A (one pass
    /// over B's rows is all it needs; the packed kernel would compute MR rows for it). Measured: the packed 6×16 path
    /// is already 3× faster than the unpacked loop at 8×8×8 and 13-19× at 30×30×100 or 64×64×20 (the unpacked loop's
    /// per-row TensorPrimitives calls cost more than the arithmetic); with AVX-512 the streamed kernel wins at every
    /// size (1×30×256, the MLP's second-layer gradient, included) and no product is left unpacked.
    /// </summary>
    private const long SmallWork = 512;

    /// <summary>
    /// Products with fewer multiply-adds than this run on one thread. Measured on the 2-vCPU machine with the streamed
    /// kernel: the MLP's 256×784×30 products (6M) take 60-65 µs on one thread; two threads take ~38 µs in isolation when
    /// the vCPUs sit on separate cores, but train-mlp's epochs were slower with them (median 26.5 vs 22.3 ms over 5
    /// runs each): the pool's worker spins for 200 µs after each job, and at times the two vCPUs share one core (an
    /// FMA loop then runs at half speed beside a spinning thread), so waking it for a 60 µs product costs more than
    /// it saves. From 16M on the split pays.
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
        if (n == 1 && csA == 1) { Gemv(c, ldc, a, rsA, b, rsB, m, k, accumulate); return; }
        MicroKernel kernel = Kernel;
        long work = (long)m * n * k;
        bool avx512 = kernel.MR == 14;
        if (!avx512 && m <= 4 && csA == 1 && rsB == 1 && k >= 8) { Dots(c, ldc, a, rsA, b, csB, m, n, k, accumulate); return; }
        if (!avx512 && (work < SmallWork || (m == 1 && csB == 1))) { Unpacked(c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate); return; }

        int threads = work < ParallelWork ? 1 : Parallelism.Threads;
        if (avx512 && StreamA(m, n, k, rsA, csA, csB))
        {
            Streamed(c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate, threads);
            return;
        }
        if (threads > 1 && m >= threads * 4 * kernel.MR)
        {
            PackedParallel(kernel, c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate, threads);
            return;
        }
        Split(kernel, c, ldc, a, rsA, csA, b, rsB, csB, m, n, k, accumulate, threads);
    }

    /// <summary>
    /// The packed product split along its longer side into pieces (its own method: the closure over these arguments
    /// would otherwise be allocated on every call to <see cref="Multiply(float*, int, float*, int, int, float*, int, int, int, int, int, bool)"/>).
    /// </summary>
    private static void Split(MicroKernel kernel, float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB,
        int m, int n, int k, bool accumulate, int threads)
    {
        bool splitM = m >= n;
        int extent = splitM ? m : n, align = splitM ? kernel.MR : kernel.NR;
        // Several pieces per thread, claimed dynamically: on a shared machine one core is often slower, and a
        // static half-and-half split would wait for it. Each piece repacks the shared operand; only products too
        // short for PackedParallel (under 4 row panels per thread) come here, so that operand is small.
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

    /// <summary>
    /// The packed product on several threads, which share one packed copy of B and each pack their own rows of A.
    /// The calling thread packs B alone — all of it when it fits the buffer (then the threads meet once), otherwise
    /// one (kc × nc) block at a time: one copy of B is a small part of the multiply, while every hand-off is a barrier
    /// that, on a shared machine, can wait for a descheduled worker (packing each block together cost 10-20% on
    /// layer3-sized products when the two vCPUs shared a core). Splitting the whole product instead made every piece
    /// repack all of B: 8 copies of a 1024×1024 B for square 1024.
    /// </summary>
    private static void PackedParallel(MicroKernel kernel, float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB,
        int m, int n, int k, bool accumulate, int threads)
    {
        int mr = kernel.MR, nr = kernel.NR;
        const int Capacity = KC * (NC + 32);
        float* packB = Buffer(ref t_packB, Capacity);
        int pieces = Math.Min(threads * 4, m / mr);
        int chunk = ((m + pieces - 1) / pieces + mr - 1) / mr * mr;
        pieces = (m + chunk - 1) / chunk;
        if (n <= NC && (long)k * RoundUp(n, nr) <= Capacity)
        {
            PackB(packB, b, rsB, csB, k, n, nr);
            WorkerPool.Run(pieces, t => PackedRows(kernel, c, ldc, a, rsA, csA, packB, (nint)k * nr, m, n, 0, k, t * chunk, chunk, accumulate));
            return;
        }
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                PackB(packB, b + (long)pc * rsB + (long)jc * csB, rsB, csB, kc, nc, nr);
                int k0 = pc, j = jc;
                WorkerPool.Run(pieces, t => PackedRows(kernel, c + j, ldc, a, rsA, csA, packB, (nint)kc * nr, m, nc, k0, k0 + kc, t * chunk, chunk, accumulate));
            }
        }
    }

    /// <summary>
    /// Rows [i0, i0 + rows) of C (+)= A · packed B over B's rows [k0, k1): B's panels are <paramref name="panelStride"/>
    /// floats apart, each holding rows k0..k1 (nr floats apart) starting at row k0.
    /// </summary>
    private static void PackedRows(MicroKernel kernel, float* c, int ldc, float* a, int rsA, int csA, float* packB, nint panelStride,
        int m, int n, int k0, int k1, int i0, int rows, bool accumulate)
    {
        rows = Math.Min(m, i0 + rows) - i0;
        if (rows <= 0) return;
        float* packA = Buffer(ref t_packA, (MC + 14) * KC);
        float* edge = stackalloc float[14 * 32];
        for (int pc = k0; pc < k1; pc += KC)
        {
            int kc = Math.Min(KC, k1 - pc);
            bool acc = accumulate || pc > 0;
            for (int ic = i0; ic < i0 + rows; ic += MC)
            {
                int mc = Math.Min(MC, i0 + rows - ic);
                PackA(packA, a + (long)ic * rsA + (long)pc * csA, rsA, csA, mc, kc, kernel.MR);
                MacroKernel(kernel, packA, packB + (pc - k0) * kernel.NR, panelStride, c + (long)ic * ldc, ldc, mc, n, kc, acc, edge);
            }
        }
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
                    MacroKernel(kernel, packA, packB, (nint)kc * nr, c + (long)ic * ldc + jc, ldc, mc, nc, kc, acc, edge);
                }
            }
        }
    }

    /// <summary>
    /// C block (mc × nc) (+)= packed A block (mc × kc) · packed B block (kc × nc, panels <paramref name="panelStride"/>
    /// floats apart), one micro-tile at a time.
    /// </summary>
    private static void MacroKernel(in MicroKernel kernel, float* packA, float* packB, nint panelStride, float* c, int ldc, int mc, int nc, int kc,
        bool acc, float* edge)
    {
        int mr = kernel.MR, nr = kernel.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nn = Math.Min(nr, nc - jr);
            float* bp = packB + jr / nr * panelStride;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mm = Math.Min(mr, mc - ir);
                float* ap = packA + (long)ir * kc;
                float* ct = c + (long)ir * ldc + jr;
                if (mm == mr && nn == nr)
                {
                    kernel.Run(kc, ap, bp, ct, ldc, acc);
                }
                else if (mr == 14)
                {
                    GemmKernels512.ByRows[mm](kc, ap, 1, 14, bp, 32, false, ct, ldc, nn, acc);
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

    // dst: ceil(mc/mr) panels, each (kc, mr) row-major; rows past mc are zero.
    private static void PackA(float* dst, float* a, int rsA, int csA, int mc, int kc, int mr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = dst + (long)i0 * kc;
            bool simd = mr == 14 && Avx512F.IsSupported;
            if (simd && csA == 1)
            {
                GemmPack512.PackARows(panel, a + (long)i0 * rsA, rsA, rows, kc, mr);
            }
            else if (simd && rsA == 1)
            {
                GemmPack512.PackAColumns(panel, a + i0, csA, rows, kc, mr);
            }
            else if (mr == 6 && csA == 1 && Avx.IsSupported)
            {
                PackARows6(panel, a + (long)i0 * rsA, rsA, rows, kc);
            }
            else if (mr == 6 && rsA == 1 && Avx.IsSupported)
            {
                // a column's 6 floats are contiguous: one masked load (rows past the panel's read as zero, never
                // touched) and one 8-float store, whose last 2 the next column's store overwrites (as PackARows6)
                Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(rows)).AsSingle();
                float* src = a + i0;
                for (int p = 0; p < kc; p++) Vector256.Store(Avx.MaskLoad(src + (long)p * csA, mask), panel + p * 6);
            }
            else if (rsA == 1)
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
        if (csB != 1 && rsB == 1 && nr == 32 && Avx512F.IsSupported)
        {
            GemmPack512.PackBColumns(dst, b, csB, kc, nc);
            return;
        }
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
    /// <summary>
    /// One AVX2 panel of A stored by rows (element (i, p) at a[i·rsA + p]), i &lt; rows ≤ 6, into (kc, 6): 8 columns at
    /// a time through an 8×8 register transpose (rows past <paramref name="rows"/> read as zero), each column's 8 floats
    /// stored at p·6, where the next column's store overwrites the 2 past the panel's 6 (the last column's 2 land in the
    /// next panel's place or the buffer's slack, both written later or never read). The element loop it replaces wrote
    /// 6 floats apart: 16% of a 224x224 batch-32 resnet18 training step on Zen 3 (with the columns' case below).
    /// </summary>
    private static void PackARows6(float* panel, float* a, nint rsA, int rows, int kc)
    {
        float* zeros = stackalloc float[8];
        Vector256.Store(Vector256<float>.Zero, zeros);
        float* r0 = a, r1 = rows > 1 ? a + rsA : zeros, r2 = rows > 2 ? a + 2 * rsA : zeros;
        float* r3 = rows > 3 ? a + 3 * rsA : zeros, r4 = rows > 4 ? a + 4 * rsA : zeros, r5 = rows > 5 ? a + 5 * rsA : zeros;
        nint step1 = rows > 1 ? 8 : 0, step2 = rows > 2 ? 8 : 0, step3 = rows > 3 ? 8 : 0, step4 = rows > 4 ? 8 : 0, step5 = rows > 5 ? 8 : 0;
        int p = 0;
        for (; p + 8 <= kc; p += 8, r0 += 8, r1 += step1, r2 += step2, r3 += step3, r4 += step4, r5 += step5)
            Transpose.Transpose8(Vector256.Load(r0), Vector256.Load(r1), Vector256.Load(r2), Vector256.Load(r3),
                Vector256.Load(r4), Vector256.Load(r5), Vector256<float>.Zero, Vector256<float>.Zero, panel + p * 6, 6);
        for (; p < kc; p++)
        {
            float* d = panel + p * 6;
            for (int i = 0; i < 6; i++) d[i] = i < rows ? a[i * rsA + p] : 0f;
        }
    }

    /// <summary>
    /// Without AVX-512, a few rows of A against B's columns where each column is contiguous (y = x·Wᵀ with W row-major:
    /// a Linear layer at batch 1-4): one dot product per column, each column read once for all the rows. The packed
    /// path copied all of B first: a 1024x512 head layer's 2 MB per call, 8% of a 28x28 batch-1 resnet18 forward on
    /// Zen 3.
    /// </summary>
    private static void Dots(float* c, int ldc, float* a, int rsA, float* b, int csB, int m, int n, int k, bool accumulate)
    {
        Parallelism.For(n, Math.Max(1, (1 << 18) / k), 1, (j0, j1) =>
        {
            float* sums = stackalloc float[4];
            for (int j = j0; j < j1; j++)
            {
                FloatRow.Dots(b + (long)j * csB, a, rsA, m, k, sums);
                for (int i = 0; i < m; i++) c[(long)i * ldc + j] = accumulate ? c[(long)i * ldc + j] + sums[i] : sums[i];
            }
        });
    }

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
