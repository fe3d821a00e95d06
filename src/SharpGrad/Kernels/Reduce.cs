using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// Reductions over the middle axis of a contiguous [outer, n, inner] block: the layout any reduction over adjacent
/// dims takes. Outputs are [outer, inner].
/// </summary>
internal static class Reduce
{
    // src (outer, n, inner) -> dst (outer, inner)
    public static void Sum(Span<float> dst, ReadOnlySpan<float> src, int outer, int n, int inner)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) dst[o] = TensorPrimitives.Sum(src.Slice(o * n, n));
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            Span<float> d = dst.Slice(o * inner, inner);
            ReadOnlySpan<float> block = src.Slice(o * n * inner, n * inner);
            if (n == 0) { d.Clear(); continue; }
            block[..inner].CopyTo(d);
            for (int j = 1; j < n; j++) TensorPrimitives.Add(d, block.Slice(j * inner, inner), d);
        }
    }

    // src (outer, n, inner) -> values, indices (outer, inner); first index wins ties; NaN propagates.
    public static void MaxMin(Span<float> values, Span<long> indices, ReadOnlySpan<float> src, int outer, int n, int inner, bool max)
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = src.Slice(o * n * inner, n * inner);
            if (inner == 1)
            {
                int best = max ? TensorPrimitives.IndexOfMax(block) : TensorPrimitives.IndexOfMin(block);
                values[o] = block[best];
                indices[o] = best;
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                float bv = block[i];
                int bi = 0;
                for (int j = 1; j < n && !float.IsNaN(bv); j++)
                {
                    float v = block[j * inner + i];
                    if (float.IsNaN(v) || (max ? v > bv : v < bv)) { bv = v; bi = j; }
                }
                values[o * inner + i] = bv;
                indices[o * inner + i] = bi;
            }
        }
    }

    /// <summary>Plain scalar twin of <see cref="Sum"/> for the tests (double accumulation).</summary>
    public static void SumReference(Span<float> dst, ReadOnlySpan<float> src, int outer, int n, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += src[(o * n + j) * inner + i];
                dst[o * inner + i] = (float)s;
            }
    }
}
