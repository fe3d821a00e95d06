namespace SharpGrad.Data;

/// <summary>A list of (x, y) tensor pairs (the seed's <c>list(zip(train_x, train_y))</c>); a batch stacks the pairs, copying each item's elements straight into the batch.</summary>
internal sealed class PairListDataset : Dataset
{
    private readonly IReadOnlyList<(Tensor X, Tensor Y)> _pairs;

    public PairListDataset(IReadOnlyList<(Tensor X, Tensor Y)> pairs)
    {
        for (int i = 1; i < pairs.Count; i++)
            if (!pairs[i].X.Sizes.AsSpan().SequenceEqual(pairs[0].X.Sizes) || !pairs[i].Y.Sizes.AsSpan().SequenceEqual(pairs[0].Y.Sizes))
                throw new ArgumentException($"Dataset: item {i} has shapes ({pairs[i].X.Shape}, {pairs[i].Y.Shape}) but item 0 has ({pairs[0].X.Shape}, {pairs[0].Y.Shape}); items must share shapes to be batched.");
        _pairs = pairs;
    }

    public override int Count => _pairs.Count;

    public override (Tensor X, Tensor? Y) this[int index]
    {
        get
        {
            CheckIndex(index);
            return _pairs[index];
        }
    }

    public override Batch Collate(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) CheckIndex(i);
        Tensor x0 = _pairs[indices.Length > 0 ? indices[0] : 0].X, y0 = _pairs[indices.Length > 0 ? indices[0] : 0].Y;
        Tensor xb = Tensor.Empty([indices.Length, .. x0.Sizes], x0.DType), yb = Tensor.Empty([indices.Length, .. y0.Sizes], y0.DType);
        for (int k = 0; k < indices.Length; k++)
        {
            (Tensor x, Tensor y) = _pairs[indices[k]];
            Rows.Put(xb, k, x);
            Rows.Put(yb, k, y);
        }
        return new Batch(xb, yb);
    }
}
