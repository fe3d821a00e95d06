using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SharpGrad.Data.Images;

/// <summary>
/// The five PNG scanline filters (PNG spec section 9). Filtering and unfiltering work on bytes, with
/// <c>bpp</c> the number of bytes per complete pixel (at least 1); the "previous row" of the first row of an
/// image or of an Adam7 pass is all zeros, passed here as an empty span.
/// </summary>
internal static class PngFilters
{
    public const int None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>
    /// Reconstructs one scanline: <c>dst[i] = src[i] + predictor(dst[i - bpp], prev[i], prev[i - bpp])</c>.
    /// <paramref name="src"/> and <paramref name="dst"/> have equal lengths and may be the same memory (in place);
    /// <paramref name="prev"/> is the reconstructed previous row of the same length, or empty for none.
    /// <paramref name="filter"/> must be 0 to 4.
    /// </summary>
    public static void Unfilter(int filter, ReadOnlySpan<byte> src, Span<byte> dst, ReadOnlySpan<byte> prev, int bpp)
    {
        int n = src.Length;
        if (dst.Length != n || (prev.Length != 0 && prev.Length != n) || bpp < 1)
            throw new ArgumentException("scanline lengths differ");
        if (n == 0) return;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        bool first = prev.IsEmpty;
        ref byte p = ref MemoryMarshal.GetReference(prev);
        switch (filter)
        {
            case None:
                if (!Unsafe.AreSame(ref s, ref d)) src.CopyTo(dst);
                break;
            case Sub:
                UnfilterSub(ref s, ref d, n, bpp);
                break;
            case Up:
                if (first) goto case None;
                AddRows(ref s, ref p, ref d, n);
                break;
            case Average:
                if (first) UnfilterAverageFirst(ref s, ref d, n, bpp);
                else UnfilterAverage(ref s, ref p, ref d, n, bpp);
                break;
            case Paeth:
                if (first) goto case Sub; // with a zero row above, Paeth always predicts the left neighbour
                if (bpp == 1) UnfilterPaeth1(ref s, ref p, ref d, n);
                else UnfilterPaeth(ref s, ref p, ref d, n, bpp);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "PNG filter types are 0 to 4.");
        }
    }

    private static void UnfilterSub(ref byte s, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        if (bpp == 1)
        {
            byte left = d;
            for (; i < n; i++) Unsafe.Add(ref d, i) = left = (byte)(Unsafe.Add(ref s, i) + left);
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + Unsafe.Add(ref d, i - bpp));
    }

    /// <summary><c>d[i] = s[i] + p[i]</c>; <paramref name="s"/> and <paramref name="d"/> may alias exactly.</summary>
    private static void AddRows(ref byte s, ref byte p, ref byte d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<byte>.Count <= n; i += Vector256<byte>.Count)
                (Vector256.LoadUnsafe(ref s, (nuint)i) + Vector256.LoadUnsafe(ref p, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + Vector128<byte>.Count <= n; i += Vector128<byte>.Count)
                (Vector128.LoadUnsafe(ref s, (nuint)i) + Vector128.LoadUnsafe(ref p, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + Unsafe.Add(ref p, i));
    }

    private static void UnfilterAverageFirst(ref byte s, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + (Unsafe.Add(ref d, i - bpp) >> 1));
    }

    private static void UnfilterAverage(ref byte s, ref byte p, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + (Unsafe.Add(ref p, i) >> 1));
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + ((Unsafe.Add(ref d, i - bpp) + Unsafe.Add(ref p, i)) >> 1));
    }

    private static void UnfilterPaeth1(ref byte s, ref byte p, ref byte d, int n)
    {
        int a = (byte)(s + p), c = p; // first byte: left and upper-left are 0, so the predictor is the byte above
        d = (byte)a;
        for (int i = 1; i < n; i++)
        {
            int b = Unsafe.Add(ref p, i);
            a = (byte)(Unsafe.Add(ref s, i) + PredictBranchless(a, b, c));
            Unsafe.Add(ref d, i) = (byte)a;
            c = b;
        }
    }

    private static void UnfilterPaeth(ref byte s, ref byte p, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + Unsafe.Add(ref p, i));
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref s, i) + PredictBranchless(Unsafe.Add(ref d, i - bpp), Unsafe.Add(ref p, i), Unsafe.Add(ref p, i - bpp)));
    }

    /// <summary>The Paeth predictor: whichever of left <paramref name="a"/>, above <paramref name="b"/>, upper-left <paramref name="c"/> is closest to a + b - c, ties in that order.</summary>
    public static int Predict(int a, int b, int c)
    {
        int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - c - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    /// <summary>
    /// <see cref="Predict"/> rewritten so that the JIT emits conditional moves and the chain through
    /// <paramref name="a"/> (the byte just reconstructed) is short: on real images the choice is close to random, and
    /// mispredicted branches would dominate. With lo = min(a, b), hi = max(a, b) and t = 3c - a - b, the predictor is
    /// hi when t &lt;= lo (c is at or below the pair, or well inside it near lo), lo when t &gt;= hi, and c otherwise;
    /// the unit tests check this against <see cref="Predict"/> for all 2^24 inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PredictBranchless(int a, int b, int c)
    {
        // The JIT does not turn conditionals into cmov inside loops, so select with sign masks.
        int d = a - b, m = (d >> 31) & d;                  // m = min(0, a - b)
        int lo = b + m, hi = a - m;
        int t = 3 * c - a - b;
        int pick = lo ^ ((lo ^ c) & ((t - hi) >> 31));     // t < hi ? c : lo
        return hi ^ ((hi ^ pick) & ((lo - t) >> 31));      // lo < t ? pick : hi
    }

    /// <summary>
    /// Filters one scanline: <c>dst[i] = row[i] - predictor(row[i - bpp], prev[i], prev[i - bpp])</c>, where
    /// <paramref name="prev"/> is the unfiltered previous row or empty for none. Returns the sum of the filtered bytes
    /// read as signed values' magnitudes, the usual heuristic for picking a filter.
    /// </summary>
    public static long Filter(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prev, Span<byte> dst, int bpp)
    {
        int n = row.Length;
        if (dst.Length != n || (prev.Length != 0 && prev.Length != n) || bpp < 1)
            throw new ArgumentException("scanline lengths differ");
        long cost = 0;
        for (int i = 0; i < n; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = prev.IsEmpty ? 0 : prev[i];
            int c = i >= bpp && !prev.IsEmpty ? prev[i - bpp] : 0;
            int pred = filter switch
            {
                None => 0,
                Sub => a,
                Up => b,
                Average => (a + b) >> 1,
                Paeth => Predict(a, b, c),
                _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "PNG filter types are 0 to 4."),
            };
            byte v = (byte)(row[i] - pred);
            dst[i] = v;
            cost += Math.Abs((int)(sbyte)v);
        }
        return cost;
    }
}
