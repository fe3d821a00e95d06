using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// Antialiased bilinear resampling of 8-bit interleaved images, pixel-for-pixel what PIL's
/// <c>Image.resize(size, Image.BILINEAR)</c> gives. Separable: a horizontal pass, then a vertical one, each skipped
/// when that axis keeps its size. Each output sample is a weighted sum over the input samples under a triangle filter
/// whose support widens with the shrink factor (a box-like footprint when shrinking, plain bilinear when enlarging);
/// weights are normalised to sum to one, held in 22-bit fixed point, and each pass rounds to 8 bits, as PIL does.
/// </summary>
internal static unsafe class Resample
{
    /// <summary>Fraction bits of the fixed-point weights (PIL: 32 - 8 - 2, leaving room for 8-bit samples and the sum).</summary>
    private const int PrecisionBits = 22;

    /// <summary>The weights of one axis: output <c>i</c> reads inputs <c>Start[i] .. Start[i] + Count[i]</c> with <c>Weights[i * Stride ..]</c>.</summary>
    internal readonly record struct Coefficients(int[] Start, int[] Count, int[] Weights, int Stride);

    /// <summary>
    /// dst (dstH, dstW, channels) = src (srcH, srcW, channels) resampled. Rows are contiguous; <paramref name="channels"/> 1 to 4.
    /// </summary>
    public static void Bilinear(Span<byte> dst, int dstW, int dstH, ReadOnlySpan<byte> src, int srcW, int srcH, int channels) =>
        Bilinear(dst, dstW, dstH, src, srcW, srcH, srcW * channels, channels);

    /// <summary>
    /// The same from a region of a larger image: source row <c>y</c> starts at <c>y * srcStride</c> bytes, so a crop is
    /// resampled where it lies, without copying it out first.
    /// </summary>
    public static void Bilinear(Span<byte> dst, int dstW, int dstH, ReadOnlySpan<byte> src, int srcW, int srcH, int srcStride, int channels)
    {
        if (dstW < 1 || dstH < 1 || srcW < 1 || srcH < 1) throw new ArgumentOutOfRangeException(nameof(dstW), $"Resample: sizes must be positive, got {srcW}x{srcH} -> {dstW}x{dstH}.");
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Resample: 1 to 4 channels.");
        if (srcStride < srcW * channels) throw new ArgumentOutOfRangeException(nameof(srcStride), srcStride, $"Resample: a row of {srcW}x{channels} bytes does not fit a stride of {srcStride}.");
        if (src.Length < (long)(srcH - 1) * srcStride + srcW * channels || dst.Length < (long)dstW * dstH * channels)
            throw new ArgumentException($"Resample: buffers too small for {srcW}x{srcH}x{channels} (stride {srcStride}) -> {dstW}x{dstH}x{channels}.");
        int rowBytes = srcW * channels;
        bool horizontal = dstW != srcW, vertical = dstH != srcH;
        if (!horizontal && !vertical)
        {
            for (int y = 0; y < srcH; y++) src.Slice(y * srcStride, rowBytes).CopyTo(dst.Slice(y * rowBytes, rowBytes));
            return;
        }
        if (!vertical)
        {
            Horizontal(dst, dstW, src, srcW, srcStride, srcH, channels, Compute(srcW, dstW));
            return;
        }
        Coefficients ky = Compute(srcH, dstH);
        if (!horizontal)
        {
            Vertical(dst, dstH, src, srcStride, srcW, channels, ky, first: 0);
            return;
        }
        // Only the input rows the vertical pass reads need the horizontal pass.
        int first = ky.Start[0], last = ky.Start[dstH - 1] + ky.Count[dstH - 1];
        int tempRow = dstW * channels;
        byte[] temp = System.Buffers.ArrayPool<byte>.Shared.Rent(tempRow * (last - first));
        try
        {
            Horizontal(temp, dstW, src[(first * srcStride)..], srcW, srcStride, last - first, channels, Compute(srcW, dstW));
            Vertical(dst, dstH, temp, tempRow, dstW, channels, ky, first);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(temp);
        }
    }

    /// <summary>The triangle-filter weights for resampling <paramref name="inSize"/> samples to <paramref name="outSize"/>.</summary>
    internal static Coefficients Compute(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle's support is 1, widened by the shrink factor
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * stride];
        double[] kd = new double[stride];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int lo = Math.Max((int)(center - support + 0.5), 0);
            int hi = Math.Min((int)(center + support + 0.5), inSize);
            int n = hi - lo;
            double total = 0;
            for (int x = 0; x < n; x++)
            {
                double t = Math.Abs((x + lo - center + 0.5) / filterScale);
                double w = t < 1.0 ? 1.0 - t : 0.0;
                kd[x] = w;
                total += w;
            }
            for (int x = 0; x < n; x++)
            {
                double w = total != 0 ? kd[x] / total : kd[x];
                weights[i * stride + x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            start[i] = lo;
            count[i] = n;
        }
        return new Coefficients(start, count, weights, stride);
    }

    /// <summary>A fixed-point sum back to a byte: shift out the fraction, clamp to 0..255.</summary>
    private static byte Clip8(int sum)
    {
        int v = sum >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    // dst (rows, dstW, ch) = src (rows, srcW, ch; rows srcStride bytes apart) resampled along each row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Horizontal(Span<byte> dst, int dstW, ReadOnlySpan<byte> src, int srcW, int srcStride, int rows, int ch, Coefficients kx)
    {
        const int Half = 1 << (PrecisionBits - 1);
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<byte> row = src.Slice(y * srcStride, srcW * ch);
            Span<byte> outRow = dst.Slice(y * dstW * ch, dstW * ch);
            int x = ch == 3 && Sse41.IsSupported ? Rgb4(outRow, dstW, row, srcW, kx) : 0;
            for (; x < dstW; x++)
            {
                ReadOnlySpan<int> w = kx.Weights.AsSpan(x * kx.Stride, kx.Count[x]);
                ReadOnlySpan<byte> taps = row.Slice(kx.Start[x] * ch, w.Length * ch);
                if (ch == 3)
                {
                    // RGB, the common case: the three channels' sums in one pass over the taps.
                    int r = Half, g = Half, b = Half;
                    for (int t = 0; t < w.Length; t++)
                    {
                        int wt = w[t];
                        r += taps[3 * t] * wt;
                        g += taps[3 * t + 1] * wt;
                        b += taps[3 * t + 2] * wt;
                    }
                    outRow[3 * x] = Clip8(r);
                    outRow[3 * x + 1] = Clip8(g);
                    outRow[3 * x + 2] = Clip8(b);
                    continue;
                }
                for (int c = 0; c < ch; c++)
                {
                    int sum = Half;
                    for (int t = 0; t < w.Length; t++) sum += taps[t * ch + c] * w[t];
                    outRow[x * ch + c] = Clip8(sum);
                }
            }
        }
    }

    /// <summary>
    /// The RGB horizontal pass with one pixel's three channels in the lanes of a vector: each tap is one 4-byte load
    /// widened to ints (the fourth byte, the next pixel's red, is ignored) and one multiply-add, instead of three of
    /// each. Integer arithmetic as the scalar loop, so the same bytes. Stops before the first output whose taps reach
    /// the row's last pixel (its 4-byte load would read past the row); returns how many outputs it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Rgb4(Span<byte> outRow, int dstW, ReadOnlySpan<byte> row, int srcW, Coefficients kx)
    {
        Vector128<int> half = Vector128.Create(1 << (PrecisionBits - 1));
        int x = 0;
        fixed (byte* r = row, o = outRow)
        fixed (int* weights = kx.Weights)
        {
            for (; x < dstW && kx.Start[x] + kx.Count[x] < srcW; x++)
            {
                byte* taps = r + 3 * kx.Start[x];
                int* w = weights + x * kx.Stride;
                Vector128<int> acc = half;
                for (int t = 0, n = kx.Count[x]; t < n; t++)
                    acc += Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(taps + 3 * t), Vector128.Create(w[t]));
                Vector128<short> words = Sse2.PackSignedSaturate(Sse2.ShiftRightArithmetic(acc, PrecisionBits), Vector128<int>.Zero);
                uint rgb = Sse2.PackUnsignedSaturate(words, words).AsUInt32().ToScalar();
                o[3 * x] = (byte)rgb;
                o[3 * x + 1] = (byte)(rgb >> 8);
                o[3 * x + 2] = (byte)(rgb >> 16);
            }
        }
        return x;
    }

    // dst (dstH, width, ch) = src (.., width, ch; rows srcStride bytes apart, the first being input row `first`)
    // resampled along each column; rows of the weighted sum stay contiguous, so the sums run with SIMD across a row
    // (bytes widened to ints; integer arithmetic, so the same result as scalar).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vertical(Span<byte> dst, int dstH, ReadOnlySpan<byte> src, int srcStride, int width, int ch, Coefficients ky, int first)
    {
        const int Half = 1 << (PrecisionBits - 1);
        int rowBytes = width * ch;
        int[] sums = System.Buffers.ArrayPool<int>.Shared.Rent(rowBytes);
        try
        {
            Span<int> acc = sums.AsSpan(0, rowBytes);
            for (int y = 0; y < dstH; y++)
            {
                acc.Fill(Half);
                ReadOnlySpan<int> w = ky.Weights.AsSpan(y * ky.Stride, ky.Count[y]);
                for (int t = 0; t < w.Length; t++)
                    AddScaled(acc, src.Slice((ky.Start[y] - first + t) * srcStride, rowBytes), w[t]);
                Span<byte> outRow = dst.Slice(y * rowBytes, rowBytes);
                int i = Sse2.IsSupported ? ClipRow16(outRow, acc) : 0;
                for (; i < rowBytes; i++) outRow[i] = Clip8(acc[i]);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(sums);
        }
    }

    /// <summary><see cref="Clip8"/> of sixteen sums at a time (shift, then saturating packs to 16 and 8 bits); returns how many it wrote.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ClipRow16(Span<byte> outRow, ReadOnlySpan<int> acc)
    {
        int i = 0;
        fixed (int* a = acc)
        fixed (byte* o = outRow)
        {
            for (; i <= outRow.Length - 16; i += 16)
            {
                Vector128<short> lo = Sse2.PackSignedSaturate(Sse2.ShiftRightArithmetic(Sse2.LoadVector128(a + i), PrecisionBits), Sse2.ShiftRightArithmetic(Sse2.LoadVector128(a + i + 4), PrecisionBits));
                Vector128<short> hi = Sse2.PackSignedSaturate(Sse2.ShiftRightArithmetic(Sse2.LoadVector128(a + i + 8), PrecisionBits), Sse2.ShiftRightArithmetic(Sse2.LoadVector128(a + i + 12), PrecisionBits));
                Sse2.Store(o + i, Sse2.PackUnsignedSaturate(lo, hi));
            }
        }
        return i;
    }

    /// <summary>acc[i] += row[i] * weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled(Span<int> acc, ReadOnlySpan<byte> row, int weight)
    {
        int i = 0, n = System.Numerics.Vector<byte>.Count;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int lanes = System.Numerics.Vector<int>.Count;
            var wv = new System.Numerics.Vector<int>(weight);
            for (; i <= row.Length - n; i += n)
            {
                System.Numerics.Vector.Widen(new System.Numerics.Vector<byte>(row[i..]), out var lo16, out var hi16);
                System.Numerics.Vector.Widen(lo16, out var a0, out var a1);
                System.Numerics.Vector.Widen(hi16, out var a2, out var a3);
                Span<int> a = acc.Slice(i, n);
                (new System.Numerics.Vector<int>(a) + System.Numerics.Vector.AsVectorInt32(a0) * wv).CopyTo(a);
                (new System.Numerics.Vector<int>(a[lanes..]) + System.Numerics.Vector.AsVectorInt32(a1) * wv).CopyTo(a[lanes..]);
                (new System.Numerics.Vector<int>(a[(2 * lanes)..]) + System.Numerics.Vector.AsVectorInt32(a2) * wv).CopyTo(a[(2 * lanes)..]);
                (new System.Numerics.Vector<int>(a[(3 * lanes)..]) + System.Numerics.Vector.AsVectorInt32(a3) * wv).CopyTo(a[(3 * lanes)..]);
            }
        }
        for (; i < row.Length; i++) acc[i] += row[i] * weight;
    }
}
