using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>A micro-kernel's row count as a type, so each instantiation is compiled with its rows known.</summary>
internal interface IGemmRows
{
    static abstract int Count { get; }
}

internal struct GemmRows1 : IGemmRows { public static int Count => 1; }
internal struct GemmRows2 : IGemmRows { public static int Count => 2; }
internal struct GemmRows3 : IGemmRows { public static int Count => 3; }
internal struct GemmRows4 : IGemmRows { public static int Count => 4; }
internal struct GemmRows5 : IGemmRows { public static int Count => 5; }
internal struct GemmRows6 : IGemmRows { public static int Count => 6; }
internal struct GemmRows7 : IGemmRows { public static int Count => 7; }
internal struct GemmRows8 : IGemmRows { public static int Count => 8; }
internal struct GemmRows9 : IGemmRows { public static int Count => 9; }
internal struct GemmRows10 : IGemmRows { public static int Count => 10; }
internal struct GemmRows11 : IGemmRows { public static int Count => 11; }
internal struct GemmRows12 : IGemmRows { public static int Count => 12; }
internal struct GemmRows13 : IGemmRows { public static int Count => 13; }
internal struct GemmRows14 : IGemmRows { public static int Count => 14; }

/// <summary>
/// The AVX-512 micro-kernel: C tile (rows × nn, nn ≤ 32) (+)= A (rows × kc) · B (kc × 32). A is read in place through
/// its strides (element (i, p) at <c>a[i*rsA + p*csA]</c>), so a packed panel (rsA 1, csA rows) and an unpacked
/// matrix or transposed view use the same code; B's rows are 32 floats apart when packed, or <c>rsB</c> apart when
/// read in place. Columns past <c>nn</c> are masked on every load and store of C, and of B when <c>maskB</c> is set
/// (B read in place, so reading past its last column could fault), so edge tiles need no scratch copy.
/// Up to 14 rows: 28 accumulators, two B vectors and a broadcast fill the 32 zmm registers. Each row is written out
/// behind a <c>TRows.Count</c> test that the JIT folds per instantiation, so every accumulator stays in a register
/// and A's 14 rows are addressed from two base pointers plus six row-stride multiples.
/// </summary>
internal static unsafe class GemmKernels512
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
        &Kernel<GemmRows7>,
        &Kernel<GemmRows8>,
        &Kernel<GemmRows9>,
        &Kernel<GemmRows10>,
        &Kernel<GemmRows11>,
        &Kernel<GemmRows12>,
        &Kernel<GemmRows13>,
        &Kernel<GemmRows14>,
    ];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel<TRows>(int kc, float* a, nint rsA, nint csA, float* b, nint rsB, bool maskB, float* c, nint ldc, int nn, bool accumulate)
        where TRows : struct, IGemmRows
    {
        Vector512<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default, c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default, c6_0 = default, c6_1 = default, c7_0 = default, c7_1 = default, c8_0 = default, c8_1 = default, c9_0 = default, c9_1 = default, c10_0 = default, c10_1 = default, c11_0 = default, c11_1 = default, c12_0 = default, c12_1 = default, c13_0 = default, c13_1 = default;
        nint r1 = rsA * sizeof(float), r2 = r1 * 2, r3 = r1 * 3, r4 = r1 * 4, r5 = r1 * 5, r6 = r1 * 6, step = csA * sizeof(float);
        byte* a0 = (byte*)a, a7 = a0 + r1 * 7;
        Vector512<int> lanes = Vector512<int>.Indices;
        Vector512<float> mask0 = Vector512.LessThan(lanes, Vector512.Create(nn)).AsSingle();
        Vector512<float> mask1 = Vector512.LessThan(lanes, Vector512.Create(nn - 16)).AsSingle();
        if (nn == 32 || !maskB)
        {
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                { var x = Vector512.Create(*(float*)a0); c0_0 = Avx512F.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(x, b1, c0_1); }
                if (TRows.Count > 1) { var x = Vector512.Create(*(float*)(a0 + r1)); c1_0 = Avx512F.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(x, b1, c1_1); }
                if (TRows.Count > 2) { var x = Vector512.Create(*(float*)(a0 + r2)); c2_0 = Avx512F.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(x, b1, c2_1); }
                if (TRows.Count > 3) { var x = Vector512.Create(*(float*)(a0 + r3)); c3_0 = Avx512F.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(x, b1, c3_1); }
                if (TRows.Count > 4) { var x = Vector512.Create(*(float*)(a0 + r4)); c4_0 = Avx512F.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(x, b1, c4_1); }
                if (TRows.Count > 5) { var x = Vector512.Create(*(float*)(a0 + r5)); c5_0 = Avx512F.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(x, b1, c5_1); }
                if (TRows.Count > 6) { var x = Vector512.Create(*(float*)(a0 + r6)); c6_0 = Avx512F.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(x, b1, c6_1); }
                if (TRows.Count > 7) { var x = Vector512.Create(*(float*)a7); c7_0 = Avx512F.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(x, b1, c7_1); }
                if (TRows.Count > 8) { var x = Vector512.Create(*(float*)(a7 + r1)); c8_0 = Avx512F.FusedMultiplyAdd(x, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(x, b1, c8_1); }
                if (TRows.Count > 9) { var x = Vector512.Create(*(float*)(a7 + r2)); c9_0 = Avx512F.FusedMultiplyAdd(x, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(x, b1, c9_1); }
                if (TRows.Count > 10) { var x = Vector512.Create(*(float*)(a7 + r3)); c10_0 = Avx512F.FusedMultiplyAdd(x, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(x, b1, c10_1); }
                if (TRows.Count > 11) { var x = Vector512.Create(*(float*)(a7 + r4)); c11_0 = Avx512F.FusedMultiplyAdd(x, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(x, b1, c11_1); }
                if (TRows.Count > 12) { var x = Vector512.Create(*(float*)(a7 + r5)); c12_0 = Avx512F.FusedMultiplyAdd(x, b0, c12_0); c12_1 = Avx512F.FusedMultiplyAdd(x, b1, c12_1); }
                if (TRows.Count > 13) { var x = Vector512.Create(*(float*)(a7 + r6)); c13_0 = Avx512F.FusedMultiplyAdd(x, b0, c13_0); c13_1 = Avx512F.FusedMultiplyAdd(x, b1, c13_1); }
                a0 += step;
                if (TRows.Count > 7) a7 += step;
                b += rsB;
            }
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx512F.MaskLoad(b, mask0, Vector512<float>.Zero);
                var b1 = Avx512F.MaskLoad(b + 16, mask1, Vector512<float>.Zero);
                { var x = Vector512.Create(*(float*)a0); c0_0 = Avx512F.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(x, b1, c0_1); }
                if (TRows.Count > 1) { var x = Vector512.Create(*(float*)(a0 + r1)); c1_0 = Avx512F.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(x, b1, c1_1); }
                if (TRows.Count > 2) { var x = Vector512.Create(*(float*)(a0 + r2)); c2_0 = Avx512F.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(x, b1, c2_1); }
                if (TRows.Count > 3) { var x = Vector512.Create(*(float*)(a0 + r3)); c3_0 = Avx512F.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(x, b1, c3_1); }
                if (TRows.Count > 4) { var x = Vector512.Create(*(float*)(a0 + r4)); c4_0 = Avx512F.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(x, b1, c4_1); }
                if (TRows.Count > 5) { var x = Vector512.Create(*(float*)(a0 + r5)); c5_0 = Avx512F.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(x, b1, c5_1); }
                if (TRows.Count > 6) { var x = Vector512.Create(*(float*)(a0 + r6)); c6_0 = Avx512F.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(x, b1, c6_1); }
                if (TRows.Count > 7) { var x = Vector512.Create(*(float*)a7); c7_0 = Avx512F.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(x, b1, c7_1); }
                if (TRows.Count > 8) { var x = Vector512.Create(*(float*)(a7 + r1)); c8_0 = Avx512F.FusedMultiplyAdd(x, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(x, b1, c8_1); }
                if (TRows.Count > 9) { var x = Vector512.Create(*(float*)(a7 + r2)); c9_0 = Avx512F.FusedMultiplyAdd(x, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(x, b1, c9_1); }
                if (TRows.Count > 10) { var x = Vector512.Create(*(float*)(a7 + r3)); c10_0 = Avx512F.FusedMultiplyAdd(x, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(x, b1, c10_1); }
                if (TRows.Count > 11) { var x = Vector512.Create(*(float*)(a7 + r4)); c11_0 = Avx512F.FusedMultiplyAdd(x, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(x, b1, c11_1); }
                if (TRows.Count > 12) { var x = Vector512.Create(*(float*)(a7 + r5)); c12_0 = Avx512F.FusedMultiplyAdd(x, b0, c12_0); c12_1 = Avx512F.FusedMultiplyAdd(x, b1, c12_1); }
                if (TRows.Count > 13) { var x = Vector512.Create(*(float*)(a7 + r6)); c13_0 = Avx512F.FusedMultiplyAdd(x, b0, c13_0); c13_1 = Avx512F.FusedMultiplyAdd(x, b1, c13_1); }
                a0 += step;
                if (TRows.Count > 7) a7 += step;
                b += rsB;
            }
        }
        if (nn == 32)
        {
            if (accumulate)
            {
                { float* q = c + 0 * ldc; Vector512.Store(Vector512.Load(q) + c0_0, q); Vector512.Store(Vector512.Load(q + 16) + c0_1, q + 16); }
                if (TRows.Count > 1) { float* q = c + 1 * ldc; Vector512.Store(Vector512.Load(q) + c1_0, q); Vector512.Store(Vector512.Load(q + 16) + c1_1, q + 16); }
                if (TRows.Count > 2) { float* q = c + 2 * ldc; Vector512.Store(Vector512.Load(q) + c2_0, q); Vector512.Store(Vector512.Load(q + 16) + c2_1, q + 16); }
                if (TRows.Count > 3) { float* q = c + 3 * ldc; Vector512.Store(Vector512.Load(q) + c3_0, q); Vector512.Store(Vector512.Load(q + 16) + c3_1, q + 16); }
                if (TRows.Count > 4) { float* q = c + 4 * ldc; Vector512.Store(Vector512.Load(q) + c4_0, q); Vector512.Store(Vector512.Load(q + 16) + c4_1, q + 16); }
                if (TRows.Count > 5) { float* q = c + 5 * ldc; Vector512.Store(Vector512.Load(q) + c5_0, q); Vector512.Store(Vector512.Load(q + 16) + c5_1, q + 16); }
                if (TRows.Count > 6) { float* q = c + 6 * ldc; Vector512.Store(Vector512.Load(q) + c6_0, q); Vector512.Store(Vector512.Load(q + 16) + c6_1, q + 16); }
                if (TRows.Count > 7) { float* q = c + 7 * ldc; Vector512.Store(Vector512.Load(q) + c7_0, q); Vector512.Store(Vector512.Load(q + 16) + c7_1, q + 16); }
                if (TRows.Count > 8) { float* q = c + 8 * ldc; Vector512.Store(Vector512.Load(q) + c8_0, q); Vector512.Store(Vector512.Load(q + 16) + c8_1, q + 16); }
                if (TRows.Count > 9) { float* q = c + 9 * ldc; Vector512.Store(Vector512.Load(q) + c9_0, q); Vector512.Store(Vector512.Load(q + 16) + c9_1, q + 16); }
                if (TRows.Count > 10) { float* q = c + 10 * ldc; Vector512.Store(Vector512.Load(q) + c10_0, q); Vector512.Store(Vector512.Load(q + 16) + c10_1, q + 16); }
                if (TRows.Count > 11) { float* q = c + 11 * ldc; Vector512.Store(Vector512.Load(q) + c11_0, q); Vector512.Store(Vector512.Load(q + 16) + c11_1, q + 16); }
                if (TRows.Count > 12) { float* q = c + 12 * ldc; Vector512.Store(Vector512.Load(q) + c12_0, q); Vector512.Store(Vector512.Load(q + 16) + c12_1, q + 16); }
                if (TRows.Count > 13) { float* q = c + 13 * ldc; Vector512.Store(Vector512.Load(q) + c13_0, q); Vector512.Store(Vector512.Load(q + 16) + c13_1, q + 16); }
            }
            else
            {
                { float* q = c + 0 * ldc; Vector512.Store(c0_0, q); Vector512.Store(c0_1, q + 16); }
                if (TRows.Count > 1) { float* q = c + 1 * ldc; Vector512.Store(c1_0, q); Vector512.Store(c1_1, q + 16); }
                if (TRows.Count > 2) { float* q = c + 2 * ldc; Vector512.Store(c2_0, q); Vector512.Store(c2_1, q + 16); }
                if (TRows.Count > 3) { float* q = c + 3 * ldc; Vector512.Store(c3_0, q); Vector512.Store(c3_1, q + 16); }
                if (TRows.Count > 4) { float* q = c + 4 * ldc; Vector512.Store(c4_0, q); Vector512.Store(c4_1, q + 16); }
                if (TRows.Count > 5) { float* q = c + 5 * ldc; Vector512.Store(c5_0, q); Vector512.Store(c5_1, q + 16); }
                if (TRows.Count > 6) { float* q = c + 6 * ldc; Vector512.Store(c6_0, q); Vector512.Store(c6_1, q + 16); }
                if (TRows.Count > 7) { float* q = c + 7 * ldc; Vector512.Store(c7_0, q); Vector512.Store(c7_1, q + 16); }
                if (TRows.Count > 8) { float* q = c + 8 * ldc; Vector512.Store(c8_0, q); Vector512.Store(c8_1, q + 16); }
                if (TRows.Count > 9) { float* q = c + 9 * ldc; Vector512.Store(c9_0, q); Vector512.Store(c9_1, q + 16); }
                if (TRows.Count > 10) { float* q = c + 10 * ldc; Vector512.Store(c10_0, q); Vector512.Store(c10_1, q + 16); }
                if (TRows.Count > 11) { float* q = c + 11 * ldc; Vector512.Store(c11_0, q); Vector512.Store(c11_1, q + 16); }
                if (TRows.Count > 12) { float* q = c + 12 * ldc; Vector512.Store(c12_0, q); Vector512.Store(c12_1, q + 16); }
                if (TRows.Count > 13) { float* q = c + 13 * ldc; Vector512.Store(c13_0, q); Vector512.Store(c13_1, q + 16); }
            }
        }
        else if (accumulate)
        {
            { float* q = c + 0 * ldc; StoreMasked(q, mask0, mask1, c0_0 + LoadMasked(q, mask0), c0_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 1) { float* q = c + 1 * ldc; StoreMasked(q, mask0, mask1, c1_0 + LoadMasked(q, mask0), c1_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 2) { float* q = c + 2 * ldc; StoreMasked(q, mask0, mask1, c2_0 + LoadMasked(q, mask0), c2_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 3) { float* q = c + 3 * ldc; StoreMasked(q, mask0, mask1, c3_0 + LoadMasked(q, mask0), c3_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 4) { float* q = c + 4 * ldc; StoreMasked(q, mask0, mask1, c4_0 + LoadMasked(q, mask0), c4_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 5) { float* q = c + 5 * ldc; StoreMasked(q, mask0, mask1, c5_0 + LoadMasked(q, mask0), c5_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 6) { float* q = c + 6 * ldc; StoreMasked(q, mask0, mask1, c6_0 + LoadMasked(q, mask0), c6_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 7) { float* q = c + 7 * ldc; StoreMasked(q, mask0, mask1, c7_0 + LoadMasked(q, mask0), c7_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 8) { float* q = c + 8 * ldc; StoreMasked(q, mask0, mask1, c8_0 + LoadMasked(q, mask0), c8_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 9) { float* q = c + 9 * ldc; StoreMasked(q, mask0, mask1, c9_0 + LoadMasked(q, mask0), c9_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 10) { float* q = c + 10 * ldc; StoreMasked(q, mask0, mask1, c10_0 + LoadMasked(q, mask0), c10_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 11) { float* q = c + 11 * ldc; StoreMasked(q, mask0, mask1, c11_0 + LoadMasked(q, mask0), c11_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 12) { float* q = c + 12 * ldc; StoreMasked(q, mask0, mask1, c12_0 + LoadMasked(q, mask0), c12_1 + LoadMasked(q + 16, mask1)); }
            if (TRows.Count > 13) { float* q = c + 13 * ldc; StoreMasked(q, mask0, mask1, c13_0 + LoadMasked(q, mask0), c13_1 + LoadMasked(q + 16, mask1)); }
        }
        else
        {
            StoreMasked(c + 0 * ldc, mask0, mask1, c0_0, c0_1);
            if (TRows.Count > 1) StoreMasked(c + 1 * ldc, mask0, mask1, c1_0, c1_1);
            if (TRows.Count > 2) StoreMasked(c + 2 * ldc, mask0, mask1, c2_0, c2_1);
            if (TRows.Count > 3) StoreMasked(c + 3 * ldc, mask0, mask1, c3_0, c3_1);
            if (TRows.Count > 4) StoreMasked(c + 4 * ldc, mask0, mask1, c4_0, c4_1);
            if (TRows.Count > 5) StoreMasked(c + 5 * ldc, mask0, mask1, c5_0, c5_1);
            if (TRows.Count > 6) StoreMasked(c + 6 * ldc, mask0, mask1, c6_0, c6_1);
            if (TRows.Count > 7) StoreMasked(c + 7 * ldc, mask0, mask1, c7_0, c7_1);
            if (TRows.Count > 8) StoreMasked(c + 8 * ldc, mask0, mask1, c8_0, c8_1);
            if (TRows.Count > 9) StoreMasked(c + 9 * ldc, mask0, mask1, c9_0, c9_1);
            if (TRows.Count > 10) StoreMasked(c + 10 * ldc, mask0, mask1, c10_0, c10_1);
            if (TRows.Count > 11) StoreMasked(c + 11 * ldc, mask0, mask1, c11_0, c11_1);
            if (TRows.Count > 12) StoreMasked(c + 12 * ldc, mask0, mask1, c12_0, c12_1);
            if (TRows.Count > 13) StoreMasked(c + 13 * ldc, mask0, mask1, c13_0, c13_1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadMasked(float* p, Vector512<float> mask) => Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* p, Vector512<float> mask0, Vector512<float> mask1, Vector512<float> v0, Vector512<float> v1)
    {
        Avx512F.MaskStore(p, mask0, v0);
        Avx512F.MaskStore(p + 16, mask1, v1);
    }
}
