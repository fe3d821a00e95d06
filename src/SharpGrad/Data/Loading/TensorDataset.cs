namespace SharpGrad.Data;

/// <summary>
/// Items are the rows (dim 0) of an input tensor and, when given, of a target tensor (PyTorch's <c>TensorDataset</c>).
/// A batch is gathered with one row copy per item into fresh contiguous tensors.
/// </summary>
public sealed class TensorDataset : Dataset
{
    /// <summary>Rows of <paramref name="x"/> paired with rows of <paramref name="y"/> (or inputs only when null).</summary>
    public TensorDataset(Tensor x, Tensor? y = null)
    {
        if (x.NDim == 0) throw new ArgumentException($"TensorDataset: x must have a batch dimension, got a 0-d tensor.");
        if (y is not null && (y.NDim == 0 || y.Size(0) != x.Size(0)))
            throw new ArgumentException($"TensorDataset: x has {x.Size(0)} rows (shape {x.Shape}) but y has shape {y.Shape}; both need the same first dimension.");
        X = x.Detach().Contiguous();
        Y = y?.Detach().Contiguous();
    }

    /// <summary>All inputs.</summary>
    public Tensor X { get; }

    /// <summary>All targets, or null.</summary>
    public Tensor? Y { get; }

    /// <inheritdoc/>
    public override int Count => X.Size(0);

    /// <inheritdoc/>
    public override (Tensor X, Tensor? Y) this[int index]
    {
        get
        {
            CheckIndex(index);
            return (X[index], Y?[index]);
        }
    }

    /// <inheritdoc/>
    public override Batch Collate(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) CheckIndex(i);
        return new Batch(Rows.Gather(X, indices), Y is null ? null : Rows.Gather(Y, indices));
    }
}
