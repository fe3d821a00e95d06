using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace SharpGrad.Cuda;

/// <summary>
/// Up to six dims of a strided view, as one kernel argument (kernels take no arrays): sizes and element strides,
/// innermost last. Unused leading dims have size 1 and stride 0.
/// </summary>
internal readonly record struct Strides6(int S0, int S1, int S2, int S3, int S4, int S5, int T0, int T1, int T2, int T3, int T4, int T5, int Offset)
{
    public const int MaxRank = 6;

    /// <summary>The view of <paramref name="sizes"/> read through <paramref name="strides"/> from <paramref name="offset"/>.</summary>
    public static Strides6 Of(int[] sizes, int[] strides, int offset)
    {
        if (sizes.Length > MaxRank) throw new NotSupportedException($"The CUDA backend handles views of up to {MaxRank} dims, got {sizes.Length}.");
        Span<int> s = [1, 1, 1, 1, 1, 1], t = [0, 0, 0, 0, 0, 0];
        int pad = MaxRank - sizes.Length;
        for (int d = 0; d < sizes.Length; d++) (s[pad + d], t[pad + d]) = (sizes[d], strides[d]);
        return new(s[0], s[1], s[2], s[3], s[4], s[5], t[0], t[1], t[2], t[3], t[4], t[5], offset);
    }

    /// <summary>The storage index of row-major element <paramref name="i"/> (sizes of <paramref name="shape"/>, strides of this).</summary>
    public long IndexOf(long i, Strides6 shape)
    {
        long o = Offset;
        long q = i;
        o += q % shape.S5 * T5; q /= shape.S5;
        o += q % shape.S4 * T4; q /= shape.S4;
        o += q % shape.S3 * T3; q /= shape.S3;
        o += q % shape.S2 * T2; q /= shape.S2;
        o += q % shape.S1 * T1; q /= shape.S1;
        o += q * T0;
        return o;
    }
}

/// <summary>The device side of the tensor seam's general entry points: strided copies, broadcasting binary ops, sums along a middle dim, fills.</summary>
internal sealed class GpuTensorKernels
{
    private readonly Action<Index1D, ArrayView<float>, Strides6, ArrayView<float>, Strides6> _copy;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, Strides6, ArrayView<float>, Strides6, int> _binary;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> _sum;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int> _sumChunks;
    private readonly Action<Index1D, ArrayView<float>, float> _fill;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int> _maxMin;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<int>, int, int> _maxMinBackward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _softmaxBackward;

    public GpuTensorKernels(Accelerator accelerator)
    {
        _copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, Strides6, ArrayView<float>, Strides6>(CopyKernel);
        _binary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Strides6, ArrayView<float>, Strides6, int>(BinaryKernel);
        _sum = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(SumKernel);
        _sumChunks = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(SumChunksKernel);
        _fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(FillKernel);
        _maxMin = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int>(MaxMinKernel);
        _maxMinBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<int>, int, int>(MaxMinBackwardKernel);
        _softmaxBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(SoftmaxBackwardKernel);
    }

    /// <summary>dst written through <paramref name="dstView"/> = src read through <paramref name="srcView"/>, element by element in row-major order of the destination's sizes.</summary>
    public void Copy(ArrayView<float> dst, Strides6 dstView, ArrayView<float> src, Strides6 srcView, int n) => _copy(n, dst, dstView, src, srcView);

    /// <summary>r[0..n) = op(a, b), both read through their strides over r's shape (the sizes of <paramref name="a"/>).</summary>
    public void Binary(ArrayView<float> r, ArrayView<float> a, Strides6 sa, ArrayView<float> b, Strides6 sb, int op, int n) => _binary(n, r, a, sa, b, sb, op);

    /// <summary>r[o·inner + i] = Σ_j x[offset + (o·n + j)·inner + i], one thread per output, summed in order.</summary>
    public void Sum(ArrayView<float> r, ArrayView<float> x, int offset, int outer, int n, int inner) => _sum(outer * inner, r, x, offset, n, inner);

    /// <summary>
    /// The first pass of a long sum: partial[(o·chunks + c)·inner + i] = the sum of chunk c (<paramref name="chunk"/>
    /// elements, the last one shorter) of x's middle dim, one thread per chunk, in order. The partial sums are again an
    /// (outer, chunks, inner) block for <see cref="Sum"/>: a fixed order, so the result is deterministic.
    /// </summary>
    public void SumChunks(ArrayView<float> partial, ArrayView<float> x, int offset, int outer, int n, int inner, int chunk)
    {
        int chunks = (n + chunk - 1) / chunk;
        _sumChunks(outer * chunks * inner, partial, x, offset, n, inner, chunk);
    }

    /// <summary>The max (or min) over the middle of an (outer, n, inner) block and its first index, one thread per output, in order (NaN wins, as on the CPU).</summary>
    public void MaxMin(ArrayView<float> values, ArrayView<int> argmax, ArrayView<float> x, int offset, int outer, int n, int inner, bool max) =>
        _maxMin(outer * inner, values, argmax, x, offset, n, inner, max ? 1 : 0);

    /// <summary>dx (outer, n, inner) = g where the element was its row's argmax, else 0: one thread per element of dx, no atomics.</summary>
    public void MaxMinBackward(ArrayView<float> dx, ArrayView<float> g, int offsetG, ArrayView<int> argmax, int outer, int n, int inner) =>
        _maxMinBackward(outer * n * inner, dx, g, offsetG, argmax, n, inner);

    /// <summary>dst[0..n) = value.</summary>
    public void Fill(ArrayView<float> dst, float value, int n) => _fill(n, dst, value);

    /// <summary>Softmax's input gradient per row: dx = y·(g - Σ g·y); log-softmax's: dx = g - exp(y)·Σ g.</summary>
    public void SoftmaxBackward(ArrayView<float> dx, ArrayView<float> g, ArrayView<float> y, int rows, int n, bool log) => _softmaxBackward(rows, dx, g, y, n, log ? 1 : 0);

    private static void SoftmaxBackwardKernel(Index1D row, ArrayView<float> dx, ArrayView<float> g, ArrayView<float> y, int n, int log)
    {
        long start = (long)row.X * n;
        float s = 0f;
        for (int j = 0; j < n; j++) s += log != 0 ? g[start + j] : g[start + j] * y[start + j];
        for (int j = 0; j < n; j++)
            dx[start + j] = log != 0 ? g[start + j] - XMath.Exp(y[start + j]) * s : y[start + j] * (g[start + j] - s);
    }

    private static void CopyKernel(Index1D i, ArrayView<float> dst, Strides6 dstView, ArrayView<float> src, Strides6 srcView) =>
        dst[dstView.IndexOf(i, dstView)] = src[srcView.IndexOf(i, dstView)];

    private static void BinaryKernel(Index1D i, ArrayView<float> r, ArrayView<float> a, Strides6 sa, ArrayView<float> b, Strides6 sb, int op)
    {
        float x = a[sa.IndexOf(i, sa)], y = b[sb.IndexOf(i, sa)];
        r[i] = op switch
        {
            0 => x + y,
            1 => x - y,
            2 => x * y,
            3 => x / y,
            4 => float.IsNaN(x) ? x : float.IsNaN(y) ? y : x >= y ? x : y, // NaN propagates, as torch.maximum
            5 => float.IsNaN(x) ? x : float.IsNaN(y) ? y : x <= y ? x : y,
            _ => XMath.Pow(x, y),
        };
    }

    private static void SumKernel(Index1D t, ArrayView<float> r, ArrayView<float> x, int offset, int n, int inner)
    {
        int o = t / inner, i = t % inner;
        long start = offset + (long)o * n * inner + i;
        float s = 0f;
        for (int j = 0; j < n; j++) s += x[start + (long)j * inner];
        r[t] = s;
    }

    private static void SumChunksKernel(Index1D t, ArrayView<float> partial, ArrayView<float> x, int offset, int n, int inner, int chunk)
    {
        int chunks = (n + chunk - 1) / chunk;
        int i = t % inner, rest = t / inner, c = rest % chunks, o = rest / chunks;
        int first = c * chunk, count = XMath.Min(chunk, n - first);
        long start = offset + ((long)o * n + first) * inner + i;
        float s = 0f;
        for (int j = 0; j < count; j++) s += x[start + (long)j * inner];
        partial[t] = s;
    }

    private static void MaxMinKernel(Index1D t, ArrayView<float> values, ArrayView<int> argmax, ArrayView<float> x, int offset, int n, int inner, int max)
    {
        int o = t / inner, i = t % inner;
        long start = offset + (long)o * n * inner + i;
        float best = x[start];
        int at = 0;
        for (int j = 1; j < n && !float.IsNaN(best); j++)
        {
            float v = x[start + (long)j * inner];
            if (float.IsNaN(v) || (max != 0 ? v > best : v < best))
            {
                best = v;
                at = j;
            }
        }
        values[t] = best;
        argmax[t] = at;
    }

    private static void MaxMinBackwardKernel(Index1D e, ArrayView<float> dx, ArrayView<float> g, int offsetG, ArrayView<int> argmax, int n, int inner)
    {
        int i = e % inner, rest = e / inner, j = rest % n, o = rest / n, t = o * inner + i;
        dx[e] = argmax[t] == j ? g[offsetG + t] : 0f;
    }

    private static void FillKernel(Index1D i, ArrayView<float> dst, float value) => dst[i] = value;
}
