using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpGrad.Data.Images;

/// <summary>
/// Accurate 8x8 integer inverse DCT with dequantization, using the Loeffler-Ligtenberg-Moschytz
/// factorization with 13-bit fixed-point constants and 2 extra bits of precision between the
/// column and row passes. This is the same arithmetic as libjpeg's "islow" method, which is what
/// PIL/libjpeg-turbo use by default, so results match them exactly for in-range data.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    // Round(x * 2^13) of the rotation constants.
    private const int C0_298631336 = 2446;
    private const int C0_390180644 = 3196;
    private const int C0_541196100 = 4433;
    private const int C0_765366865 = 6270;
    private const int C0_899976223 = 7373;
    private const int C1_175875602 = 9633;
    private const int C1_501321110 = 12299;
    private const int C1_847759065 = 15137;
    private const int C1_961570560 = 16069;
    private const int C2_053119869 = 16819;
    private const int C2_562915447 = 20995;
    private const int C3_072711026 = 25172;

    /// <summary>
    /// Dequantizes <paramref name="coef"/> (natural order) with <paramref name="quant"/> (natural order),
    /// inverse-transforms it and stores the level-shifted, clamped samples into an 8x8 area of
    /// <paramref name="output"/> starting at <paramref name="offset"/> with row pitch <paramref name="stride"/>.
    /// </summary>
    /// <remarks>Uses the AVX2 implementation when the CPU has it (bit-identical results).</remarks>
    public static unsafe void Transform(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<byte> output, int offset, int stride)
    {
        Validate(coef, quant, output, offset, stride);
        if (!JpegIdctAvx2.IsSupported)
        {
            TransformScalar(coef, quant, output, offset, stride);
            return;
        }

        fixed (short* c = coef)
        fixed (ushort* q = quant)
        fixed (byte* o = output)
        {
            if (JpegIdctAvx2.HasOnlyDc(c))
            {
                FillDc(ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset), stride, c[0] * q[0] << Pass1Bits);
            }
            else
            {
                JpegIdctAvx2.Transform(c, q, o + offset, stride);
            }
        }
    }

    /// <summary>The portable implementation of <see cref="Transform"/>.</summary>
    [SkipLocalsInit]
    public static unsafe void TransformScalar(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<byte> output, int offset, int stride)
    {
        Validate(coef, quant, output, offset, stride);

        // All indexing below stays inside the ranges validated above.
        ref short cf = ref MemoryMarshal.GetReference(coef);
        ref ushort qt = ref MemoryMarshal.GetReference(quant);
        ref byte dst0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset);

        int* ws = stackalloc int[64];
        bool anyAc = false;

        // Pass 1: columns, input -> workspace, results scaled up by 2^Pass1Bits.
        for (int c = 0; c < 8; c++)
        {
            if (Unsafe.Add(ref cf, 8 + c) == 0 && Unsafe.Add(ref cf, 16 + c) == 0 && Unsafe.Add(ref cf, 24 + c) == 0 &&
                Unsafe.Add(ref cf, 32 + c) == 0 && Unsafe.Add(ref cf, 40 + c) == 0 && Unsafe.Add(ref cf, 48 + c) == 0 &&
                Unsafe.Add(ref cf, 56 + c) == 0)
            {
                int dc = Unsafe.Add(ref cf, c) * Unsafe.Add(ref qt, c) << Pass1Bits;
                anyAc |= c != 0 && dc != 0;
                ws[c] = dc;
                ws[8 + c] = dc;
                ws[16 + c] = dc;
                ws[24 + c] = dc;
                ws[32 + c] = dc;
                ws[40 + c] = dc;
                ws[48 + c] = dc;
                ws[56 + c] = dc;
                continue;
            }

            anyAc = true;
            Idct1D(
                Unsafe.Add(ref cf, c) * Unsafe.Add(ref qt, c),
                Unsafe.Add(ref cf, 8 + c) * Unsafe.Add(ref qt, 8 + c),
                Unsafe.Add(ref cf, 16 + c) * Unsafe.Add(ref qt, 16 + c),
                Unsafe.Add(ref cf, 24 + c) * Unsafe.Add(ref qt, 24 + c),
                Unsafe.Add(ref cf, 32 + c) * Unsafe.Add(ref qt, 32 + c),
                Unsafe.Add(ref cf, 40 + c) * Unsafe.Add(ref qt, 40 + c),
                Unsafe.Add(ref cf, 48 + c) * Unsafe.Add(ref qt, 48 + c),
                Unsafe.Add(ref cf, 56 + c) * Unsafe.Add(ref qt, 56 + c),
                out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);

            const int shift = ConstBits - Pass1Bits;
            const int round = 1 << (shift - 1);
            ws[c] = (o0 + round) >> shift;
            ws[8 + c] = (o1 + round) >> shift;
            ws[16 + c] = (o2 + round) >> shift;
            ws[24 + c] = (o3 + round) >> shift;
            ws[32 + c] = (o4 + round) >> shift;
            ws[40 + c] = (o5 + round) >> shift;
            ws[48 + c] = (o6 + round) >> shift;
            ws[56 + c] = (o7 + round) >> shift;
        }

        if (!anyAc)
        {
            FillDc(ref dst0, stride, ws[0]);
            return;
        }

        // Pass 2: rows, workspace -> samples, removing the 2^(Pass1Bits+3) scale and adding 128.
        for (int r = 0; r < 8; r++)
        {
            int* w = ws + (r * 8);
            ref byte d = ref Unsafe.Add(ref dst0, r * stride);
            Idct1D(
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
                out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);

            const int shift = ConstBits + Pass1Bits + 3;
            const int round = (1 << (shift - 1)) + (128 << shift);
            d = Clamp((o0 + round) >> shift);
            Unsafe.Add(ref d, 1) = Clamp((o1 + round) >> shift);
            Unsafe.Add(ref d, 2) = Clamp((o2 + round) >> shift);
            Unsafe.Add(ref d, 3) = Clamp((o3 + round) >> shift);
            Unsafe.Add(ref d, 4) = Clamp((o4 + round) >> shift);
            Unsafe.Add(ref d, 5) = Clamp((o5 + round) >> shift);
            Unsafe.Add(ref d, 6) = Clamp((o6 + round) >> shift);
            Unsafe.Add(ref d, 7) = Clamp((o7 + round) >> shift);
        }
    }

    private static void Validate(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<byte> output, int offset, int stride)
    {
        if (coef.Length < 64 || quant.Length < 64 || offset < 0 || stride < 8 || (long)offset + (7L * stride) + 8 > output.Length)
        {
            throw new ArgumentException("IDCT block out of range");
        }
    }

    // Only the DC coefficient: with workspace value w (= dequantized DC << Pass1Bits) the row pass
    // reduces to (w + 16) >> 5 for every sample, the same rounding as the full computation.
    private static void FillDc(ref byte dst, int stride, int w)
    {
        byte v = Clamp(((w + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) + 128);
        ulong fill = v * 0x0101010101010101UL;
        for (int r = 0; r < 8; r++)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, r * stride), fill);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;

    /// <summary>
    /// One-dimensional 8-point inverse DCT; outputs are scaled by 2^ConstBits relative to the inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Idct1D(
        int x0, int x1, int x2, int x3, int x4, int x5, int x6, int x7,
        out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7)
    {
        // Even part: inputs 0, 2, 4, 6.
        int rot = (x2 + x6) * C0_541196100;
        int e2 = rot - (x6 * C1_847759065);
        int e3 = rot + (x2 * C0_765366865);
        int e0 = (x0 + x4) << ConstBits;
        int e1 = (x0 - x4) << ConstBits;
        int s0 = e0 + e3;
        int s3 = e0 - e3;
        int s1 = e1 + e2;
        int s2 = e1 - e2;

        // Odd part: inputs 7, 5, 3, 1.
        int z1 = x7 + x1;
        int z2 = x5 + x3;
        int z3 = x7 + x3;
        int z4 = x5 + x1;
        int z5 = (z3 + z4) * C1_175875602;
        int t0 = x7 * C0_298631336;
        int t1 = x5 * C2_053119869;
        int t2 = x3 * C3_072711026;
        int t3 = x1 * C1_501321110;
        z1 *= -C0_899976223;
        z2 *= -C2_562915447;
        z3 = (z3 * -C1_961570560) + z5;
        z4 = (z4 * -C0_390180644) + z5;
        t0 += z1 + z3;
        t1 += z2 + z4;
        t2 += z2 + z3;
        t3 += z1 + z4;

        o0 = s0 + t3;
        o7 = s0 - t3;
        o1 = s1 + t2;
        o6 = s1 - t2;
        o2 = s2 + t1;
        o5 = s2 - t1;
        o3 = s3 + t0;
        o4 = s3 - t0;
    }
}
