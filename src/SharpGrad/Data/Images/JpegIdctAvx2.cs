using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Data.Images;

/// <summary>
/// AVX2 version of <see cref="JpegIdct"/>: the same 32-bit integer operations applied to eight
/// columns (then eight rows) at once, so the results are bit-identical to the scalar code.
/// </summary>
internal static class JpegIdctAvx2
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    /// <summary>Whether this machine can run <see cref="Transform"/>.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Same contract as <see cref="JpegIdct.Transform"/>, with raw pointers whose ranges the caller has
    /// validated: 64 coefficients, 64 quantizers and an 8x8 output area with pitch <paramref name="stride"/>.
    /// </summary>
    public static unsafe void Transform(short* coef, ushort* quant, byte* output, int stride)
    {
        // Rows of coefficients, widened to 32 bits and dequantized: lane c of r_k is coefficient (k, c).
        Vector256<int> r0 = Dequant(coef, quant, 0);
        Vector256<int> r1 = Dequant(coef, quant, 1);
        Vector256<int> r2 = Dequant(coef, quant, 2);
        Vector256<int> r3 = Dequant(coef, quant, 3);
        Vector256<int> r4 = Dequant(coef, quant, 4);
        Vector256<int> r5 = Dequant(coef, quant, 5);
        Vector256<int> r6 = Dequant(coef, quant, 6);
        Vector256<int> r7 = Dequant(coef, quant, 7);

        // Pass 1 on all eight columns at once; workspace keeps 2^Pass1Bits extra precision.
        Idct1D(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Vector256<int> round1 = Vector256.Create(1 << (ConstBits - Pass1Bits - 1));
        r0 = Avx2.ShiftRightArithmetic(Avx2.Add(r0, round1), ConstBits - Pass1Bits);
        r1 = Avx2.ShiftRightArithmetic(Avx2.Add(r1, round1), ConstBits - Pass1Bits);
        r2 = Avx2.ShiftRightArithmetic(Avx2.Add(r2, round1), ConstBits - Pass1Bits);
        r3 = Avx2.ShiftRightArithmetic(Avx2.Add(r3, round1), ConstBits - Pass1Bits);
        r4 = Avx2.ShiftRightArithmetic(Avx2.Add(r4, round1), ConstBits - Pass1Bits);
        r5 = Avx2.ShiftRightArithmetic(Avx2.Add(r5, round1), ConstBits - Pass1Bits);
        r6 = Avx2.ShiftRightArithmetic(Avx2.Add(r6, round1), ConstBits - Pass1Bits);
        r7 = Avx2.ShiftRightArithmetic(Avx2.Add(r7, round1), ConstBits - Pass1Bits);

        // Pass 2 on all eight rows at once: after the transpose, lane r of v_k is workspace (r, k).
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Idct1D(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);

        Store(output, Descale(r0, r1), stride, 0);
        Store(output, Descale(r2, r3), stride, 2);
        Store(output, Descale(r4, r5), stride, 4);
        Store(output, Descale(r6, r7), stride, 6);
    }

    /// <summary>True when coefficients 1..63 of the block are all zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool HasOnlyDc(short* coef)
    {
        Vector256<short> notDc = Vector256.Create((short)0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        Vector256<short> rest = Avx2.Or(
            Avx2.Or(Avx.LoadVector256(coef + 16), Avx.LoadVector256(coef + 32)),
            Avx.LoadVector256(coef + 48));
        return Avx.TestZ(Avx.LoadVector256(coef), notDc) && Avx.TestZ(rest, rest);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Dequant(short* coef, ushort* quant, int row)
    {
        Vector256<int> c = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(coef + (row * 8)));
        Vector256<int> q = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(quant + (row * 8)));
        return Avx2.MultiplyLow(c, q);
    }

    // Rows a and b (lane = column) descaled, level-shifted by 128, clamped to 0..255 and packed:
    // bytes 0-7 are row a, 8-15 row b.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Descale(Vector256<int> a, Vector256<int> b)
    {
        const byte shift = ConstBits + Pass1Bits + 3;
        Vector256<int> round = Vector256.Create((1 << (shift - 1)) + (128 << shift));
        a = Avx2.ShiftRightArithmetic(Avx2.Add(a, round), shift);
        b = Avx2.ShiftRightArithmetic(Avx2.Add(b, round), shift);

        // PackSignedSaturate interleaves 128-bit halves: (a.lo, b.lo, a.hi, b.hi) as shorts.
        Vector256<short> s = Avx2.PackSignedSaturate(a, b);
        Vector128<short> lo = s.GetLower();
        Vector128<short> hi = s.GetUpper();

        // lo = a0..3 b0..3, hi = a4..7 b4..7 -> bytes a0..7, b0..7 after unsigned saturation.
        Vector128<short> rowA = Sse2.UnpackLow(lo.AsInt64(), hi.AsInt64()).AsInt16();
        Vector128<short> rowB = Sse2.UnpackHigh(lo.AsInt64(), hi.AsInt64()).AsInt16();
        return Sse2.PackUnsignedSaturate(rowA, rowB);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(byte* output, Vector128<byte> twoRows, int stride, int row)
    {
        Sse2.StoreLow((double*)(output + (row * stride)), twoRows.AsDouble());
        Sse2.StoreHigh((double*)(output + ((row + 1) * stride)), twoRows.AsDouble());
    }

    // The same butterfly as JpegIdct.Idct1D, eight lanes at a time; outputs scaled by 2^ConstBits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Idct1D(
        ref Vector256<int> x0, ref Vector256<int> x1, ref Vector256<int> x2, ref Vector256<int> x3,
        ref Vector256<int> x4, ref Vector256<int> x5, ref Vector256<int> x6, ref Vector256<int> x7)
    {
        Vector256<int> rot = Avx2.MultiplyLow(Avx2.Add(x2, x6), Vector256.Create(4433));
        Vector256<int> e2 = Avx2.Subtract(rot, Avx2.MultiplyLow(x6, Vector256.Create(15137)));
        Vector256<int> e3 = Avx2.Add(rot, Avx2.MultiplyLow(x2, Vector256.Create(6270)));
        Vector256<int> e0 = Avx2.ShiftLeftLogical(Avx2.Add(x0, x4), ConstBits);
        Vector256<int> e1 = Avx2.ShiftLeftLogical(Avx2.Subtract(x0, x4), ConstBits);
        Vector256<int> s0 = Avx2.Add(e0, e3);
        Vector256<int> s3 = Avx2.Subtract(e0, e3);
        Vector256<int> s1 = Avx2.Add(e1, e2);
        Vector256<int> s2 = Avx2.Subtract(e1, e2);

        Vector256<int> z1 = Avx2.Add(x7, x1);
        Vector256<int> z2 = Avx2.Add(x5, x3);
        Vector256<int> z3 = Avx2.Add(x7, x3);
        Vector256<int> z4 = Avx2.Add(x5, x1);
        Vector256<int> z5 = Avx2.MultiplyLow(Avx2.Add(z3, z4), Vector256.Create(9633));
        Vector256<int> t0 = Avx2.MultiplyLow(x7, Vector256.Create(2446));
        Vector256<int> t1 = Avx2.MultiplyLow(x5, Vector256.Create(16819));
        Vector256<int> t2 = Avx2.MultiplyLow(x3, Vector256.Create(25172));
        Vector256<int> t3 = Avx2.MultiplyLow(x1, Vector256.Create(12299));
        z1 = Avx2.MultiplyLow(z1, Vector256.Create(-7373));
        z2 = Avx2.MultiplyLow(z2, Vector256.Create(-20995));
        z3 = Avx2.Add(Avx2.MultiplyLow(z3, Vector256.Create(-16069)), z5);
        z4 = Avx2.Add(Avx2.MultiplyLow(z4, Vector256.Create(-3196)), z5);
        t0 = Avx2.Add(t0, Avx2.Add(z1, z3));
        t1 = Avx2.Add(t1, Avx2.Add(z2, z4));
        t2 = Avx2.Add(t2, Avx2.Add(z2, z3));
        t3 = Avx2.Add(t3, Avx2.Add(z1, z4));

        x0 = Avx2.Add(s0, t3);
        x7 = Avx2.Subtract(s0, t3);
        x1 = Avx2.Add(s1, t2);
        x6 = Avx2.Subtract(s1, t2);
        x2 = Avx2.Add(s2, t1);
        x5 = Avx2.Subtract(s2, t1);
        x3 = Avx2.Add(s3, t0);
        x4 = Avx2.Subtract(s3, t0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<int> a0, ref Vector256<int> a1, ref Vector256<int> a2, ref Vector256<int> a3,
        ref Vector256<int> a4, ref Vector256<int> a5, ref Vector256<int> a6, ref Vector256<int> a7)
    {
        // 2x2 blocks of 32-bit elements.
        Vector256<int> b0 = Avx2.UnpackLow(a0, a1);
        Vector256<int> b1 = Avx2.UnpackHigh(a0, a1);
        Vector256<int> b2 = Avx2.UnpackLow(a2, a3);
        Vector256<int> b3 = Avx2.UnpackHigh(a2, a3);
        Vector256<int> b4 = Avx2.UnpackLow(a4, a5);
        Vector256<int> b5 = Avx2.UnpackHigh(a4, a5);
        Vector256<int> b6 = Avx2.UnpackLow(a6, a7);
        Vector256<int> b7 = Avx2.UnpackHigh(a6, a7);

        // 4x4 blocks within each 128-bit lane.
        Vector256<int> c0 = Avx2.UnpackLow(b0.AsInt64(), b2.AsInt64()).AsInt32();
        Vector256<int> c1 = Avx2.UnpackHigh(b0.AsInt64(), b2.AsInt64()).AsInt32();
        Vector256<int> c2 = Avx2.UnpackLow(b1.AsInt64(), b3.AsInt64()).AsInt32();
        Vector256<int> c3 = Avx2.UnpackHigh(b1.AsInt64(), b3.AsInt64()).AsInt32();
        Vector256<int> c4 = Avx2.UnpackLow(b4.AsInt64(), b6.AsInt64()).AsInt32();
        Vector256<int> c5 = Avx2.UnpackHigh(b4.AsInt64(), b6.AsInt64()).AsInt32();
        Vector256<int> c6 = Avx2.UnpackLow(b5.AsInt64(), b7.AsInt64()).AsInt32();
        Vector256<int> c7 = Avx2.UnpackHigh(b5.AsInt64(), b7.AsInt64()).AsInt32();

        // Swap the off-diagonal 128-bit halves.
        a0 = Avx2.Permute2x128(c0, c4, 0x20);
        a1 = Avx2.Permute2x128(c1, c5, 0x20);
        a2 = Avx2.Permute2x128(c2, c6, 0x20);
        a3 = Avx2.Permute2x128(c3, c7, 0x20);
        a4 = Avx2.Permute2x128(c0, c4, 0x31);
        a5 = Avx2.Permute2x128(c1, c5, 0x31);
        a6 = Avx2.Permute2x128(c2, c6, 0x31);
        a7 = Avx2.Permute2x128(c3, c7, 0x31);
    }
}
