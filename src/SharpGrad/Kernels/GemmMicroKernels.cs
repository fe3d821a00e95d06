using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// Register-blocked GEMM micro-kernels: C tile (MR×NR) (+)= packed A panel (kc×MR) · packed B panel (kc×NR).
/// The accumulators stay in registers for the whole k loop: 14×32 uses 28 of the 32 zmm registers,
/// 6×16 uses 12 of the 16 ymm registers, 4×8 is the portable Vector128 fallback.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    // a: packed (kc, 14) panel, b: packed (kc, 32) panel, c: (14, 32) tile, row stride ldc
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel14x32(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default, c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default, c6_0 = default, c6_1 = default, c7_0 = default, c7_1 = default, c8_0 = default, c8_1 = default, c9_0 = default, c9_1 = default, c10_0 = default, c10_1 = default, c11_0 = default, c11_1 = default, c12_0 = default, c12_1 = default, c13_0 = default, c13_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]);
            c8_0 = Avx512F.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Avx512F.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]);
            c9_0 = Avx512F.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Avx512F.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]);
            c10_0 = Avx512F.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Avx512F.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]);
            c11_0 = Avx512F.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Avx512F.FusedMultiplyAdd(a11, b1, c11_1);
            var a12 = Vector512.Create(a[12]);
            c12_0 = Avx512F.FusedMultiplyAdd(a12, b0, c12_0);
            c12_1 = Avx512F.FusedMultiplyAdd(a12, b1, c12_1);
            var a13 = Vector512.Create(a[13]);
            c13_0 = Avx512F.FusedMultiplyAdd(a13, b0, c13_0);
            c13_1 = Avx512F.FusedMultiplyAdd(a13, b1, c13_1);
            a += 14;
            b += 32;
        }
        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c + 0 * ldc + 0) + c0_0, c + 0 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 0 * ldc + 16) + c0_1, c + 0 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 1 * ldc + 0) + c1_0, c + 1 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 1 * ldc + 16) + c1_1, c + 1 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 2 * ldc + 0) + c2_0, c + 2 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 2 * ldc + 16) + c2_1, c + 2 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 3 * ldc + 0) + c3_0, c + 3 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 3 * ldc + 16) + c3_1, c + 3 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 4 * ldc + 0) + c4_0, c + 4 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 4 * ldc + 16) + c4_1, c + 4 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 5 * ldc + 0) + c5_0, c + 5 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 5 * ldc + 16) + c5_1, c + 5 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 6 * ldc + 0) + c6_0, c + 6 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 6 * ldc + 16) + c6_1, c + 6 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 7 * ldc + 0) + c7_0, c + 7 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 7 * ldc + 16) + c7_1, c + 7 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 8 * ldc + 0) + c8_0, c + 8 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 8 * ldc + 16) + c8_1, c + 8 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 9 * ldc + 0) + c9_0, c + 9 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 9 * ldc + 16) + c9_1, c + 9 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 10 * ldc + 0) + c10_0, c + 10 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 10 * ldc + 16) + c10_1, c + 10 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 11 * ldc + 0) + c11_0, c + 11 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 11 * ldc + 16) + c11_1, c + 11 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 12 * ldc + 0) + c12_0, c + 12 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 12 * ldc + 16) + c12_1, c + 12 * ldc + 16);
            Vector512.Store(Vector512.Load(c + 13 * ldc + 0) + c13_0, c + 13 * ldc + 0);
            Vector512.Store(Vector512.Load(c + 13 * ldc + 16) + c13_1, c + 13 * ldc + 16);
        }
        else
        {
            Vector512.Store(c0_0, c + 0 * ldc + 0);
            Vector512.Store(c0_1, c + 0 * ldc + 16);
            Vector512.Store(c1_0, c + 1 * ldc + 0);
            Vector512.Store(c1_1, c + 1 * ldc + 16);
            Vector512.Store(c2_0, c + 2 * ldc + 0);
            Vector512.Store(c2_1, c + 2 * ldc + 16);
            Vector512.Store(c3_0, c + 3 * ldc + 0);
            Vector512.Store(c3_1, c + 3 * ldc + 16);
            Vector512.Store(c4_0, c + 4 * ldc + 0);
            Vector512.Store(c4_1, c + 4 * ldc + 16);
            Vector512.Store(c5_0, c + 5 * ldc + 0);
            Vector512.Store(c5_1, c + 5 * ldc + 16);
            Vector512.Store(c6_0, c + 6 * ldc + 0);
            Vector512.Store(c6_1, c + 6 * ldc + 16);
            Vector512.Store(c7_0, c + 7 * ldc + 0);
            Vector512.Store(c7_1, c + 7 * ldc + 16);
            Vector512.Store(c8_0, c + 8 * ldc + 0);
            Vector512.Store(c8_1, c + 8 * ldc + 16);
            Vector512.Store(c9_0, c + 9 * ldc + 0);
            Vector512.Store(c9_1, c + 9 * ldc + 16);
            Vector512.Store(c10_0, c + 10 * ldc + 0);
            Vector512.Store(c10_1, c + 10 * ldc + 16);
            Vector512.Store(c11_0, c + 11 * ldc + 0);
            Vector512.Store(c11_1, c + 11 * ldc + 16);
            Vector512.Store(c12_0, c + 12 * ldc + 0);
            Vector512.Store(c12_1, c + 12 * ldc + 16);
            Vector512.Store(c13_0, c + 13 * ldc + 0);
            Vector512.Store(c13_1, c + 13 * ldc + 16);
        }
    }

    // a: packed (kc, 6) panel, b: packed (kc, 16) panel, c: (6, 16) tile, row stride ldc
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector256<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default, c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c0_0 = Fma.MultiplyAdd(a0, b0, c0_0);
            c0_1 = Fma.MultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]);
            c1_0 = Fma.MultiplyAdd(a1, b0, c1_0);
            c1_1 = Fma.MultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]);
            c2_0 = Fma.MultiplyAdd(a2, b0, c2_0);
            c2_1 = Fma.MultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]);
            c3_0 = Fma.MultiplyAdd(a3, b0, c3_0);
            c3_1 = Fma.MultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]);
            c4_0 = Fma.MultiplyAdd(a4, b0, c4_0);
            c4_1 = Fma.MultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]);
            c5_0 = Fma.MultiplyAdd(a5, b0, c5_0);
            c5_1 = Fma.MultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += 16;
        }
        if (accumulate)
        {
            Vector256.Store(Vector256.Load(c + 0 * ldc + 0) + c0_0, c + 0 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 0 * ldc + 8) + c0_1, c + 0 * ldc + 8);
            Vector256.Store(Vector256.Load(c + 1 * ldc + 0) + c1_0, c + 1 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 1 * ldc + 8) + c1_1, c + 1 * ldc + 8);
            Vector256.Store(Vector256.Load(c + 2 * ldc + 0) + c2_0, c + 2 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 2 * ldc + 8) + c2_1, c + 2 * ldc + 8);
            Vector256.Store(Vector256.Load(c + 3 * ldc + 0) + c3_0, c + 3 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 3 * ldc + 8) + c3_1, c + 3 * ldc + 8);
            Vector256.Store(Vector256.Load(c + 4 * ldc + 0) + c4_0, c + 4 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 4 * ldc + 8) + c4_1, c + 4 * ldc + 8);
            Vector256.Store(Vector256.Load(c + 5 * ldc + 0) + c5_0, c + 5 * ldc + 0);
            Vector256.Store(Vector256.Load(c + 5 * ldc + 8) + c5_1, c + 5 * ldc + 8);
        }
        else
        {
            Vector256.Store(c0_0, c + 0 * ldc + 0);
            Vector256.Store(c0_1, c + 0 * ldc + 8);
            Vector256.Store(c1_0, c + 1 * ldc + 0);
            Vector256.Store(c1_1, c + 1 * ldc + 8);
            Vector256.Store(c2_0, c + 2 * ldc + 0);
            Vector256.Store(c2_1, c + 2 * ldc + 8);
            Vector256.Store(c3_0, c + 3 * ldc + 0);
            Vector256.Store(c3_1, c + 3 * ldc + 8);
            Vector256.Store(c4_0, c + 4 * ldc + 0);
            Vector256.Store(c4_1, c + 4 * ldc + 8);
            Vector256.Store(c5_0, c + 5 * ldc + 0);
            Vector256.Store(c5_1, c + 5 * ldc + 8);
        }
    }

    // a: packed (kc, 4) panel, b: packed (kc, 8) panel, c: (4, 8) tile, row stride ldc
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel4x8(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector128<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]);
            c0_0 = c0_0 + a0 * b0;
            c0_1 = c0_1 + a0 * b1;
            var a1 = Vector128.Create(a[1]);
            c1_0 = c1_0 + a1 * b0;
            c1_1 = c1_1 + a1 * b1;
            var a2 = Vector128.Create(a[2]);
            c2_0 = c2_0 + a2 * b0;
            c2_1 = c2_1 + a2 * b1;
            var a3 = Vector128.Create(a[3]);
            c3_0 = c3_0 + a3 * b0;
            c3_1 = c3_1 + a3 * b1;
            a += 4;
            b += 8;
        }
        if (accumulate)
        {
            Vector128.Store(Vector128.Load(c + 0 * ldc + 0) + c0_0, c + 0 * ldc + 0);
            Vector128.Store(Vector128.Load(c + 0 * ldc + 4) + c0_1, c + 0 * ldc + 4);
            Vector128.Store(Vector128.Load(c + 1 * ldc + 0) + c1_0, c + 1 * ldc + 0);
            Vector128.Store(Vector128.Load(c + 1 * ldc + 4) + c1_1, c + 1 * ldc + 4);
            Vector128.Store(Vector128.Load(c + 2 * ldc + 0) + c2_0, c + 2 * ldc + 0);
            Vector128.Store(Vector128.Load(c + 2 * ldc + 4) + c2_1, c + 2 * ldc + 4);
            Vector128.Store(Vector128.Load(c + 3 * ldc + 0) + c3_0, c + 3 * ldc + 0);
            Vector128.Store(Vector128.Load(c + 3 * ldc + 4) + c3_1, c + 3 * ldc + 4);
        }
        else
        {
            Vector128.Store(c0_0, c + 0 * ldc + 0);
            Vector128.Store(c0_1, c + 0 * ldc + 4);
            Vector128.Store(c1_0, c + 1 * ldc + 0);
            Vector128.Store(c1_1, c + 1 * ldc + 4);
            Vector128.Store(c2_0, c + 2 * ldc + 0);
            Vector128.Store(c2_1, c + 2 * ldc + 4);
            Vector128.Store(c3_0, c + 3 * ldc + 0);
            Vector128.Store(c3_1, c + 3 * ldc + 4);
        }
    }
}
