using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Data.Images;

/// <summary>
/// Produces full-resolution rows of one component. Follows libjpeg's choices so output matches
/// PIL: "fancy" triangle-filter interpolation (3/4 nearer + 1/4 farther sample) for 2:1 horizontal
/// (h2v1), 2:1 vertical (h1v2) and 2:1 both ways (h2v2), with libjpeg's alternating rounding bias, and plain replication (box filter) for every
/// other integral ratio or for components only 1-2 samples wide. Edges replicate the last real sample.
/// </summary>
internal sealed unsafe class JpegUpsampler
{
    private readonly JpegComponent _c;
    private readonly Kind _kind;
    private readonly int _hRatio;
    private readonly int _vRatio;
    private readonly int _outWidth;
    private readonly byte[] _row = [];

    public JpegUpsampler(JpegComponent c, int maxH, int maxV, int outWidth)
    {
        _c = c;
        _outWidth = outWidth;
        _hRatio = maxH / c.H;
        _vRatio = maxV / c.V;
        bool wideEnough = c.Width > 2;
        _kind = (_hRatio, _vRatio) switch
        {
            (1, 1) => Kind.Full,
            (2, 1) when wideEnough => Kind.H2V1,
            (1, 2) => Kind.H1V2,
            (2, 2) when wideEnough => Kind.H2V2,
            _ => Kind.Box,
        };

        if (_kind != Kind.Full)
        {
            _row = new byte[Math.Max(outWidth, c.Width * _hRatio)];
        }
    }

    private enum Kind
    {
        Full,
        H2V1,
        H1V2,
        H2V2,
        Box,
    }

    /// <summary>Returns output row <paramref name="y"/> (at least the output width long).</summary>
    public ReadOnlySpan<byte> Row(int y)
    {
        byte[] plane = _c.Plane!;
        int stride = _c.Stride;
        int w = _c.Width;
        switch (_kind)
        {
            case Kind.Full:
                return plane.AsSpan(y * stride, _outWidth);

            case Kind.H2V1:
                FancyH2V1(plane.AsSpan(y * stride, w), _row);
                return _row;

            case Kind.H1V2:
            {
                (int near, int far) = VerticalNeighbours(y);
                FancyH1V2(plane.AsSpan(near * stride, w), plane.AsSpan(far * stride, w), _row, 1 + (y & 1));
                return _row;
            }

            case Kind.H2V2:
            {
                (int near, int far) = VerticalNeighbours(y);
                FancyH2V2(plane.AsSpan(near * stride, w), plane.AsSpan(far * stride, w), _row);
                return _row;
            }

            default:
            {
                ReadOnlySpan<byte> src = plane.AsSpan((y / _vRatio) * stride, w);
                Span<byte> dst = _row;
                int hr = _hRatio;
                for (int x = 0; x < _outWidth; x++)
                {
                    dst[x] = src[x / hr];
                }

                return _row;
            }
        }
    }

    // For 2:1 vertical: the nearer input row and the next-nearer one (above for even output rows,
    // below for odd ones), clamped to the component's real rows.
    private (int Near, int Far) VerticalNeighbours(int y)
    {
        int near = y >> 1;
        int far = (y & 1) == 0 ? near - 1 : near + 1;
        far = Math.Clamp(far, 0, _c.Height - 1);
        return (near, far);
    }

    // The loops below index through refs; every index stays below the lengths checked on entry
    // (w >= 3 samples in and 2w bytes out for the horizontal cases, w >= 1 for the vertical one).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FancyH2V1(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int w = src.Length;
        CheckLengths(w, w, dst.Length, 2 * w, 3);
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        int cur = s;
        d = (byte)cur;
        Unsafe.Add(ref d, 1) = (byte)(((cur * 3) + Unsafe.Add(ref s, 1) + 2) >> 2);
        int i = 1;
        if (Avx2.IsSupported)
        {
            // Sixteen inputs at a time in 16-bit lanes; each lane's even | odd << 8 is the two output bytes in order.
            fixed (byte* sp = src, dp = dst)
            {
                Vector256<ushort> one = Vector256.Create((ushort)1), two = Vector256.Create((ushort)2);
                for (; i + 16 <= w - 1; i += 16)
                {
                    Vector256<ushort> c3 = Avx2.ConvertToVector256Int16(sp + i).AsUInt16() * 3;
                    Vector256<ushort> prev = Avx2.ConvertToVector256Int16(sp + i - 1).AsUInt16(), next = Avx2.ConvertToVector256Int16(sp + i + 1).AsUInt16();
                    Vector256<ushort> even = (c3 + prev + one) >> 2, odd = (c3 + next + two) >> 2;
                    Avx.Store((ushort*)(dp + 2 * i), even | (odd << 8));
                }
            }
        }
        for (; i < w - 1; i++)
        {
            int c3 = Unsafe.Add(ref s, i) * 3;
            Unsafe.Add(ref d, 2 * i) = (byte)((c3 + Unsafe.Add(ref s, i - 1) + 1) >> 2);
            Unsafe.Add(ref d, (2 * i) + 1) = (byte)((c3 + Unsafe.Add(ref s, i + 1) + 2) >> 2);
        }

        int last = Unsafe.Add(ref s, w - 1);
        Unsafe.Add(ref d, (2 * w) - 2) = (byte)(((last * 3) + Unsafe.Add(ref s, w - 2) + 1) >> 2);
        Unsafe.Add(ref d, (2 * w) - 1) = (byte)last;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FancyH1V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> dst, int bias)
    {
        int w = near.Length;
        CheckLengths(far.Length, w, dst.Length, w, 1);
        ref byte n = ref MemoryMarshal.GetReference(near);
        ref byte f = ref MemoryMarshal.GetReference(far);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int i = 0; i < w; i++)
        {
            Unsafe.Add(ref d, i) = (byte)(((Unsafe.Add(ref n, i) * 3) + Unsafe.Add(ref f, i) + bias) >> 2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FancyH2V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> dst)
    {
        int w = near.Length;
        CheckLengths(far.Length, w, dst.Length, 2 * w, 3);
        ref byte n = ref MemoryMarshal.GetReference(near);
        ref byte f = ref MemoryMarshal.GetReference(far);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        int cur = (n * 3) + f;
        int next = (Unsafe.Add(ref n, 1) * 3) + Unsafe.Add(ref f, 1);
        d = (byte)(((cur * 4) + 8) >> 4);
        Unsafe.Add(ref d, 1) = (byte)(((cur * 3) + next + 7) >> 4);
        int prev = cur;
        cur = next;
        int i = 1;
        if (Avx2.IsSupported)
        {
            // Sixteen inputs at a time: column sums (3 * near + far) at i - 1, i and i + 1 in 16-bit lanes, then each
            // lane's even | odd << 8 is the two output bytes in order. Same integer arithmetic as the scalar loop.
            fixed (byte* np = near, fp = far, dp = dst)
            {
                Vector256<ushort> seven = Vector256.Create((ushort)7), eight = Vector256.Create((ushort)8);
                for (; i + 16 <= w - 1; i += 16)
                {
                    Vector256<ushort> c = Sum(np + i, fp + i), p = Sum(np + i - 1, fp + i - 1), q = Sum(np + i + 1, fp + i + 1);
                    Vector256<ushort> c3 = c * 3;
                    Vector256<ushort> even = (c3 + p + eight) >> 4, odd = (c3 + q + seven) >> 4;
                    Avx.Store((ushort*)(dp + 2 * i), even | (odd << 8));
                }
            }
            if (i > 1)
            {
                prev = (Unsafe.Add(ref n, i - 1) * 3) + Unsafe.Add(ref f, i - 1);
                cur = (Unsafe.Add(ref n, i) * 3) + Unsafe.Add(ref f, i);
            }
        }
        for (; i < w - 1; i++)
        {
            next = (Unsafe.Add(ref n, i + 1) * 3) + Unsafe.Add(ref f, i + 1);
            Unsafe.Add(ref d, 2 * i) = (byte)(((cur * 3) + prev + 8) >> 4);
            Unsafe.Add(ref d, (2 * i) + 1) = (byte)(((cur * 3) + next + 7) >> 4);
            prev = cur;
            cur = next;
        }

        Unsafe.Add(ref d, (2 * w) - 2) = (byte)(((cur * 3) + prev + 8) >> 4);
        Unsafe.Add(ref d, (2 * w) - 1) = (byte)(((cur * 4) + 7) >> 4);
    }

    /// <summary>3 * near + far for sixteen samples, in 16-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Sum(byte* near, byte* far) =>
        Avx2.ConvertToVector256Int16(near).AsUInt16() * 3 + Avx2.ConvertToVector256Int16(far).AsUInt16();

    private static void CheckLengths(int inLength, int inNeeded, int outLength, int outNeeded, int minWidth)
    {
        if (inNeeded < minWidth || inLength < inNeeded || outLength < outNeeded)
        {
            throw new ArgumentException("upsampler row out of range");
        }
    }
}
