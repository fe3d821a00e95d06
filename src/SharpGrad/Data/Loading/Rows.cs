namespace SharpGrad.Data;

/// <summary>Copies rows of contiguous tensors into a new batch tensor: the collate step with no per-item tensor.</summary>
internal static class Rows
{
    /// <summary>A new tensor of shape [indices.Length, ...source.Shape[1..]] holding the selected rows of the contiguous <paramref name="source"/>.</summary>
    public static Tensor Gather(Tensor source, ReadOnlySpan<int> indices)
    {
        var sizes = (int[])source.Sizes.Clone();
        sizes[0] = indices.Length;
        Tensor batch = Tensor.Empty(sizes, source.DType);
        switch (source.DType)
        {
            case DType.Float32: Copy(batch.Contents<float>(), source.Contents<float>(), indices); break;
            case DType.Int64: Copy(batch.Contents<long>(), source.Contents<long>(), indices); break;
            case DType.Bool: Copy(batch.Contents<bool>(), source.Contents<bool>(), indices); break;
            case DType.UInt8: Copy(batch.Contents<byte>(), source.Contents<byte>(), indices); break;
        }
        return batch;
    }

    private static void Copy<T>(Span<T> dst, ReadOnlySpan<T> src, ReadOnlySpan<int> indices) where T : unmanaged
    {
        int row = indices.Length == 0 ? 0 : dst.Length / indices.Length;
        for (int k = 0; k < indices.Length; k++) src.Slice(indices[k] * row, row).CopyTo(dst.Slice(k * row, row));
    }

    /// <summary>Copies the elements of <paramref name="item"/> into row <paramref name="row"/> of the contiguous <paramref name="batch"/>.</summary>
    public static void Put(Tensor batch, int row, Tensor item)
    {
        if (item.DType != batch.DType)
            throw new ArgumentException($"Collate: item {row} has dtype {item.DType.TorchName()}, the batch {batch.DType.TorchName()}.");
        Tensor src = item.Contiguous();
        int n = src.Numel;
        switch (batch.DType)
        {
            case DType.Float32: src.Contents<float>().CopyTo(batch.Contents<float>().Slice(row * n, n)); break;
            case DType.Int64: src.Contents<long>().CopyTo(batch.Contents<long>().Slice(row * n, n)); break;
            case DType.Bool: src.Contents<bool>().CopyTo(batch.Contents<bool>().Slice(row * n, n)); break;
            case DType.UInt8: src.Contents<byte>().CopyTo(batch.Contents<byte>().Slice(row * n, n)); break;
        }
    }
}
