namespace SharpGrad.Kernels;

/// <summary>Gather / scatter-add along one dim, and block selection / index-add, over contiguous buffers.</summary>
internal static class Gather
{
    private static int Wrap(long k, int size, int dim)
    {
        if (k < -size || k >= size)
            throw new IndexOutOfRangeException($"Index {k} is out of range for dim {dim} with size {size}.");
        return (int)(k < 0 ? k + size : k);
    }

    /// <summary>
    /// Visits every position p of an index tensor of shape <paramref name="indexSizes"/> and yields (p, offset in src)
    /// where the src coordinate along <paramref name="dim"/> is index[p] and the others are p's.
    /// </summary>
    private static void Walk(ReadOnlySpan<long> index, int[] indexSizes, int[] srcSizes, int dim, Span<int> offsets)
    {
        int[] srcStrides = ShapeMath.ContiguousStrides(srcSizes);
        int rank = indexSizes.Length;
        Span<int> pos = stackalloc int[Math.Max(rank, 1)];
        pos.Clear();
        for (int p = 0; p < index.Length; p++)
        {
            int k = Wrap(index[p], srcSizes[dim], dim);
            int o = 0;
            for (int d = 0; d < rank; d++) o += (d == dim ? k : pos[d]) * srcStrides[d];
            offsets[p] = o;
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++pos[d] < indexSizes[d]) break;
                pos[d] = 0;
            }
        }
    }

    // out (indexSizes) = src (srcSizes) gathered along dim
    public static void AlongDim<T>(Span<T> dst, ReadOnlySpan<long> index, int[] indexSizes, ReadOnlySpan<T> src, int[] srcSizes, int dim) where T : unmanaged
    {
        int[] offsets = new int[index.Length];
        Walk(index, indexSizes, srcSizes, dim, offsets);
        for (int p = 0; p < offsets.Length; p++) dst[p] = src[offsets[p]];
    }

    // dst (dstSizes) += values (indexSizes) scattered along dim
    public static void ScatterAdd(Span<float> dst, int[] dstSizes, ReadOnlySpan<long> index, int[] indexSizes, ReadOnlySpan<float> values, int dim)
    {
        int[] offsets = new int[index.Length];
        Walk(index, indexSizes, dstSizes, dim, offsets);
        for (int p = 0; p < offsets.Length; p++) dst[offsets[p]] += values[p];
    }

    // src viewed as (outer, n, inner), dst as (outer, m, inner): dst[o, i, :] = src[o, index[i], :]
    public static void IndexSelect<T>(Span<T> dst, ReadOnlySpan<T> src, ReadOnlySpan<long> index, int outer, int n, int inner, int dim) where T : unmanaged
    {
        int m = index.Length;
        for (int i = 0; i < m; i++)
        {
            int k = Wrap(index[i], n, dim);
            for (int o = 0; o < outer; o++)
                src.Slice((o * n + k) * inner, inner).CopyTo(dst.Slice((o * m + i) * inner, inner));
        }
    }

    // dst viewed as (outer, n, inner), values as (outer, m, inner): dst[o, index[i], :] += values[o, i, :]
    public static void IndexAdd(Span<float> dst, ReadOnlySpan<float> values, ReadOnlySpan<long> index, int outer, int n, int inner, int dim)
    {
        int m = index.Length;
        for (int i = 0; i < m; i++)
        {
            int k = Wrap(index[i], n, dim);
            for (int o = 0; o < outer; o++)
            {
                Span<float> d = dst.Slice((o * n + k) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(d, values.Slice((o * m + i) * inner, inner), d);
            }
        }
    }
}
