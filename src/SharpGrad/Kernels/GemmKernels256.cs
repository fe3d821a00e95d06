using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;


/// <summary>
/// The AVX2 micro-kernel with A read in place: C tile (rows × nn, nn ≤ 16) (+)= A (rows × kc) · B (kc × 16), element
/// (i, p) of A at <c>a[i*rsA + p*csA]</c>, B's rows <c>rsB</c> apart (16 when packed), columns past <c>nn</c> masked
/// on every load and store of C, and of B when <c>maskB</c> is set. The AVX2 counterpart of
/// <see cref="GemmKernels512"/> for the channels-last convolutions: up to 6 rows, whose 12 accumulators, two B
/// vectors and a broadcast take 15 of the 16 ymm registers (the packed <see cref="GemmMicroKernels.Kernel6x16"/>'s tile).
/// </summary>
internal static unsafe class GemmKernels256
{
    /// <summary>Entry points indexed by row count (index 0 unused).</summary>
    internal static readonly delegate*<int, float*, nint, nint, float*, nint, bool, float*, nint, int, bool, void>[] ByRows =
    [
        null,
        &Kernel<GemmRows1>,
        &Kernel<GemmRows2>,
        &Kernel<GemmRows3>,
        &Kernel<GemmRows4>,
        &Kernel<GemmRows5>,
        &Kernel<GemmRows6>,
    ];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel<TRows>(int kc, float* a, nint rsA, nint csA, float* b, nint rsB, bool maskB, float* c, nint ldc, int nn, bool accumulate)
        where TRows : struct, IGemmRows
    {
        Vector256<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default, c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default;
        nint r1 = rsA * sizeof(float), r2 = r1 * 2, r3 = r1 * 3, r4 = r1 * 4, r5 = r1 * 5, step = csA * sizeof(float);
        byte* a0 = (byte*)a;
        Vector256<int> lanes = Vector256<int>.Indices;
        Vector256<float> mask0 = Vector256.LessThan(lanes, Vector256.Create(nn)).AsSingle();
        Vector256<float> mask1 = Vector256.LessThan(lanes, Vector256.Create(nn - 8)).AsSingle();
        if (nn == 16 || !maskB)
        {
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);
                { var x = Vector256.Create(*(float*)a0); c0_0 = Fma.MultiplyAdd(x, b0, c0_0); c0_1 = Fma.MultiplyAdd(x, b1, c0_1); }
                if (TRows.Count > 1) { var x = Vector256.Create(*(float*)(a0 + r1)); c1_0 = Fma.MultiplyAdd(x, b0, c1_0); c1_1 = Fma.MultiplyAdd(x, b1, c1_1); }
                if (TRows.Count > 2) { var x = Vector256.Create(*(float*)(a0 + r2)); c2_0 = Fma.MultiplyAdd(x, b0, c2_0); c2_1 = Fma.MultiplyAdd(x, b1, c2_1); }
                if (TRows.Count > 3) { var x = Vector256.Create(*(float*)(a0 + r3)); c3_0 = Fma.MultiplyAdd(x, b0, c3_0); c3_1 = Fma.MultiplyAdd(x, b1, c3_1); }
                if (TRows.Count > 4) { var x = Vector256.Create(*(float*)(a0 + r4)); c4_0 = Fma.MultiplyAdd(x, b0, c4_0); c4_1 = Fma.MultiplyAdd(x, b1, c4_1); }
                if (TRows.Count > 5) { var x = Vector256.Create(*(float*)(a0 + r5)); c5_0 = Fma.MultiplyAdd(x, b0, c5_0); c5_1 = Fma.MultiplyAdd(x, b1, c5_1); }
                a0 += step;
                b += rsB;
            }
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx.MaskLoad(b, mask0);
                var b1 = Avx.MaskLoad(b + 8, mask1);
                { var x = Vector256.Create(*(float*)a0); c0_0 = Fma.MultiplyAdd(x, b0, c0_0); c0_1 = Fma.MultiplyAdd(x, b1, c0_1); }
                if (TRows.Count > 1) { var x = Vector256.Create(*(float*)(a0 + r1)); c1_0 = Fma.MultiplyAdd(x, b0, c1_0); c1_1 = Fma.MultiplyAdd(x, b1, c1_1); }
                if (TRows.Count > 2) { var x = Vector256.Create(*(float*)(a0 + r2)); c2_0 = Fma.MultiplyAdd(x, b0, c2_0); c2_1 = Fma.MultiplyAdd(x, b1, c2_1); }
                if (TRows.Count > 3) { var x = Vector256.Create(*(float*)(a0 + r3)); c3_0 = Fma.MultiplyAdd(x, b0, c3_0); c3_1 = Fma.MultiplyAdd(x, b1, c3_1); }
                if (TRows.Count > 4) { var x = Vector256.Create(*(float*)(a0 + r4)); c4_0 = Fma.MultiplyAdd(x, b0, c4_0); c4_1 = Fma.MultiplyAdd(x, b1, c4_1); }
                if (TRows.Count > 5) { var x = Vector256.Create(*(float*)(a0 + r5)); c5_0 = Fma.MultiplyAdd(x, b0, c5_0); c5_1 = Fma.MultiplyAdd(x, b1, c5_1); }
                a0 += step;
                b += rsB;
            }
        }
        if (nn == 16)
        {
            if (accumulate)
            {
                { float* q = c + 0 * ldc; Vector256.Store(Vector256.Load(q) + c0_0, q); Vector256.Store(Vector256.Load(q + 8) + c0_1, q + 8); }
                if (TRows.Count > 1) { float* q = c + 1 * ldc; Vector256.Store(Vector256.Load(q) + c1_0, q); Vector256.Store(Vector256.Load(q + 8) + c1_1, q + 8); }
                if (TRows.Count > 2) { float* q = c + 2 * ldc; Vector256.Store(Vector256.Load(q) + c2_0, q); Vector256.Store(Vector256.Load(q + 8) + c2_1, q + 8); }
                if (TRows.Count > 3) { float* q = c + 3 * ldc; Vector256.Store(Vector256.Load(q) + c3_0, q); Vector256.Store(Vector256.Load(q + 8) + c3_1, q + 8); }
                if (TRows.Count > 4) { float* q = c + 4 * ldc; Vector256.Store(Vector256.Load(q) + c4_0, q); Vector256.Store(Vector256.Load(q + 8) + c4_1, q + 8); }
                if (TRows.Count > 5) { float* q = c + 5 * ldc; Vector256.Store(Vector256.Load(q) + c5_0, q); Vector256.Store(Vector256.Load(q + 8) + c5_1, q + 8); }
            }
            else
            {
                { float* q = c + 0 * ldc; Vector256.Store(c0_0, q); Vector256.Store(c0_1, q + 8); }
                if (TRows.Count > 1) { float* q = c + 1 * ldc; Vector256.Store(c1_0, q); Vector256.Store(c1_1, q + 8); }
                if (TRows.Count > 2) { float* q = c + 2 * ldc; Vector256.Store(c2_0, q); Vector256.Store(c2_1, q + 8); }
                if (TRows.Count > 3) { float* q = c + 3 * ldc; Vector256.Store(c3_0, q); Vector256.Store(c3_1, q + 8); }
                if (TRows.Count > 4) { float* q = c + 4 * ldc; Vector256.Store(c4_0, q); Vector256.Store(c4_1, q + 8); }
                if (TRows.Count > 5) { float* q = c + 5 * ldc; Vector256.Store(c5_0, q); Vector256.Store(c5_1, q + 8); }
            }
        }
        else if (accumulate)
        {
            { float* q = c + 0 * ldc; StoreMasked(q, mask0, mask1, c0_0 + Avx.MaskLoad(q, mask0), c0_1 + Avx.MaskLoad(q + 8, mask1)); }
            if (TRows.Count > 1) { float* q = c + 1 * ldc; StoreMasked(q, mask0, mask1, c1_0 + Avx.MaskLoad(q, mask0), c1_1 + Avx.MaskLoad(q + 8, mask1)); }
            if (TRows.Count > 2) { float* q = c + 2 * ldc; StoreMasked(q, mask0, mask1, c2_0 + Avx.MaskLoad(q, mask0), c2_1 + Avx.MaskLoad(q + 8, mask1)); }
            if (TRows.Count > 3) { float* q = c + 3 * ldc; StoreMasked(q, mask0, mask1, c3_0 + Avx.MaskLoad(q, mask0), c3_1 + Avx.MaskLoad(q + 8, mask1)); }
            if (TRows.Count > 4) { float* q = c + 4 * ldc; StoreMasked(q, mask0, mask1, c4_0 + Avx.MaskLoad(q, mask0), c4_1 + Avx.MaskLoad(q + 8, mask1)); }
            if (TRows.Count > 5) { float* q = c + 5 * ldc; StoreMasked(q, mask0, mask1, c5_0 + Avx.MaskLoad(q, mask0), c5_1 + Avx.MaskLoad(q + 8, mask1)); }
        }
        else
        {
            StoreMasked(c + 0 * ldc, mask0, mask1, c0_0, c0_1);
            if (TRows.Count > 1) StoreMasked(c + 1 * ldc, mask0, mask1, c1_0, c1_1);
            if (TRows.Count > 2) StoreMasked(c + 2 * ldc, mask0, mask1, c2_0, c2_1);
            if (TRows.Count > 3) StoreMasked(c + 3 * ldc, mask0, mask1, c3_0, c3_1);
            if (TRows.Count > 4) StoreMasked(c + 4 * ldc, mask0, mask1, c4_0, c4_1);
            if (TRows.Count > 5) StoreMasked(c + 5 * ldc, mask0, mask1, c5_0, c5_1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* p, Vector256<float> mask0, Vector256<float> mask1, Vector256<float> v0, Vector256<float> v1)
    {
        Avx.MaskStore(p, mask0, v0);
        Avx.MaskStore(p + 8, mask1, v1);
    }
}
