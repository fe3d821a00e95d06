using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Data.Images;

/// <summary>
/// Colour conversion and final image assembly. YCbCr -> RGB uses the JFIF equations in 16-bit
/// fixed point with the same rounding as libjpeg (R = Y + 1.402 Cr, G = Y - 0.34414 Cb - 0.71414 Cr,
/// B = Y + 1.772 Cb), so it agrees with PIL exactly.
/// </summary>
internal static class JpegColor
{
    private const int ScaleBits = 16;
    private const int Half = 1 << (ScaleBits - 1);

    private static readonly int[] CrToR = new int[256];
    private static readonly int[] CbToB = new int[256];
    private static readonly int[] CrToG = new int[256];
    private static readonly int[] CbToG = new int[256];

    static JpegColor()
    {
        int fixCrR = Fix(1.40200);
        int fixCbB = Fix(1.77200);
        int fixCrG = Fix(0.71414);
        int fixCbG = Fix(0.34414);
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrToR[i] = ((fixCrR * x) + Half) >> ScaleBits;
            CbToB[i] = ((fixCbB * x) + Half) >> ScaleBits;
            CrToG[i] = -fixCrG * x;
            CbToG[i] = (-fixCbG * x) + Half;
        }
    }

    /// <summary>Upsamples and colour-converts the decoded component planes into the output image.</summary>
    /// <param name="frame">The fully decoded frame.</param>
    /// <param name="isRgb">True when the three components are already R, G, B (no YCbCr transform).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Image ToImage(JpegFrame frame, bool isRgb)
    {
        int width = frame.Width;
        int height = frame.Height;
        JpegComponent[] comps = frame.Components;
        if (comps.Length == 1)
        {
            Image grayImage = Image.Create(width, height, 1);
            Span<byte> gray = grayImage.Data;
            byte[] plane = comps[0].Plane!;
            int stride = comps[0].Stride;
            for (int y = 0; y < height; y++)
            {
                plane.AsSpan(y * stride, width).CopyTo(gray.Slice(y * width, width));
            }

            return grayImage;
        }

        Image image = Image.Create(width, height, 3);
        Span<byte> rgb = image.Data;
        var u0 = new JpegUpsampler(comps[0], frame.MaxH, frame.MaxV, width);
        var u1 = new JpegUpsampler(comps[1], frame.MaxH, frame.MaxV, width);
        var u2 = new JpegUpsampler(comps[2], frame.MaxH, frame.MaxV, width);
        for (int y = 0; y < height; y++)
        {
            Span<byte> dst = rgb.Slice(y * width * 3, width * 3);
            ReadOnlySpan<byte> r0 = u0.Row(y)[..width];
            ReadOnlySpan<byte> r1 = u1.Row(y)[..width];
            ReadOnlySpan<byte> r2 = u2.Row(y)[..width];
            if (isRgb)
            {
                for (int x = 0, o = 0; x < width; x++, o += 3)
                {
                    dst[o] = r0[x];
                    dst[o + 1] = r1[x];
                    dst[o + 2] = r2[x];
                }
            }
            else
            {
                YccRow(r0, r1, r2, dst);
            }
        }

        return image;
    }

    /// <summary>
    /// A four-component frame as RGB, the way PIL opens it and converts it: the CMYK samples (from YCCK through the
    /// YCbCr equations and C = 255 - R, M = 255 - G, Y = 255 - B when <paramref name="ycck"/>), inverted when the file
    /// has an Adobe marker, then PIL's CMYK to RGB: <c>v = (255 - K) - C·(255 - K)/255</c> with its rounding.
    /// </summary>
    public static Image CmykToImage(JpegFrame frame, bool ycck, bool inverted)
    {
        int width = frame.Width, height = frame.Height;
        JpegComponent[] comps = frame.Components;
        Image image = Image.Create(width, height, 3);
        Span<byte> rgb = image.Data;
        var up = new JpegUpsampler[4];
        for (int c = 0; c < 4; c++) up[c] = new JpegUpsampler(comps[c], frame.MaxH, frame.MaxV, width);
        var ycc = new byte[width * 3];
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> r0 = up[0].Row(y)[..width], r1 = up[1].Row(y)[..width], r2 = up[2].Row(y)[..width], r3 = up[3].Row(y)[..width];
            if (ycck) YccRow(r0, r1, r2, ycc);
            Span<byte> dst = rgb.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                // The decoder's CMYK (libjpeg's output), then PIL's view of it.
                int c0 = ycck ? 255 - ycc[3 * x] : r0[x], c1 = ycck ? 255 - ycc[3 * x + 1] : r1[x], c2 = ycck ? 255 - ycc[3 * x + 2] : r2[x], k = r3[x];
                if (inverted) (c0, c1, c2, k) = (255 - c0, 255 - c1, 255 - c2, 255 - k);
                int nk = 255 - k;
                dst[3 * x] = Clamp(nk - MulDiv255(c0, nk));
                dst[3 * x + 1] = Clamp(nk - MulDiv255(c1, nk));
                dst[3 * x + 2] = Clamp(nk - MulDiv255(c2, nk));
            }
        }
        return image;
    }

    /// <summary>PIL's MULDIV255: a·b/255 rounded, in integers.</summary>
    private static int MulDiv255(int a, int b)
    {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static unsafe void YccRow(ReadOnlySpan<byte> yRow, ReadOnlySpan<byte> cbRow, ReadOnlySpan<byte> crRow, Span<byte> dst)
    {
        int n = yRow.Length;
        if (cbRow.Length < n || crRow.Length < n || dst.Length < 3 * n)
        {
            throw new ArgumentException("colour row too short");
        }

        fixed (byte* py = yRow, pcb = cbRow, pcr = crRow, pd = dst)
        fixed (int* crToR = CrToR, cbToB = CbToB, crToG = CrToG, cbToG = CbToG)
        {
            int x = Avx2.IsSupported ? YccAvx2(py, pcb, pcr, pd, n) : 0;
            byte* o = pd + (3 * x);
            for (; x < n; x++, o += 3)
            {
                int yv = py[x];
                int cb = pcb[x];
                int cr = pcr[x];
                o[0] = Clamp(yv + crToR[cr]);
                o[1] = Clamp(yv + ((cbToG[cb] + crToG[cr]) >> ScaleBits));
                o[2] = Clamp(yv + cbToB[cb]);
            }
        }
    }

    // Eight pixels per step with the same integer formulas as the tables (bit-identical);
    // returns how many pixels were converted.
    private static unsafe int YccAvx2(byte* py, byte* pcb, byte* pcr, byte* pd, int n)
    {
        Vector256<int> center = Vector256.Create(128);
        Vector256<int> half = Vector256.Create(Half);
        Vector256<int> crR = Vector256.Create(Fix(1.40200));
        Vector256<int> cbB = Vector256.Create(Fix(1.77200));
        Vector256<int> crG = Vector256.Create(-Fix(0.71414));
        Vector256<int> cbG = Vector256.Create(-Fix(0.34414));

        // Interleave R0..R7 G0..G7 (rg) and B0..B7 (b) into R0 G0 B0 R1 ... (24 bytes).
        Vector128<byte> rgLo = Vector128.Create((byte)0, 8, 0x80, 1, 9, 0x80, 2, 10, 0x80, 3, 11, 0x80, 4, 12, 0x80, 5);
        Vector128<byte> bLo = Vector128.Create((byte)0x80, 0x80, 0, 0x80, 0x80, 1, 0x80, 0x80, 2, 0x80, 0x80, 3, 0x80, 0x80, 4, 0x80);
        Vector128<byte> rgHi = Vector128.Create((byte)13, 0x80, 6, 14, 0x80, 7, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        Vector128<byte> bHi = Vector128.Create((byte)0x80, 5, 0x80, 0x80, 6, 0x80, 0x80, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);

        int x = 0;
        for (; x + 8 <= n; x += 8)
        {
            Vector256<int> y = Avx2.ConvertToVector256Int32(py + x);
            Vector256<int> cb = Avx2.Subtract(Avx2.ConvertToVector256Int32(pcb + x), center);
            Vector256<int> cr = Avx2.Subtract(Avx2.ConvertToVector256Int32(pcr + x), center);
            Vector256<int> r = Avx2.Add(y, Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.MultiplyLow(cr, crR), half), ScaleBits));
            Vector256<int> g = Avx2.Add(y, Avx2.ShiftRightArithmetic(
                Avx2.Add(Avx2.Add(Avx2.MultiplyLow(cb, cbG), half), Avx2.MultiplyLow(cr, crG)), ScaleBits));
            Vector256<int> b = Avx2.Add(y, Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.MultiplyLow(cb, cbB), half), ScaleBits));

            Vector128<short> r16 = Sse2.PackSignedSaturate(r.GetLower(), r.GetUpper());
            Vector128<short> g16 = Sse2.PackSignedSaturate(g.GetLower(), g.GetUpper());
            Vector128<short> b16 = Sse2.PackSignedSaturate(b.GetLower(), b.GetUpper());
            Vector128<byte> rg = Sse2.PackUnsignedSaturate(r16, g16);
            Vector128<byte> bb = Sse2.PackUnsignedSaturate(b16, b16);

            byte* o = pd + (3 * x);
            Sse2.Store(o, Sse2.Or(Ssse3.Shuffle(rg, rgLo), Ssse3.Shuffle(bb, bLo)));
            Sse2.StoreLow((double*)(o + 16), Sse2.Or(Ssse3.Shuffle(rg, rgHi), Ssse3.Shuffle(bb, bHi)).AsDouble());
        }

        return x;
    }

    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);
}
