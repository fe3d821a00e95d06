namespace SharpGrad.Data;

/// <summary>
/// Indexed (x, y) items that a <see cref="DataLoader"/> draws batches from. Subclasses collate a whole batch at once
/// into contiguous tensors (<see cref="Collate(ReadOnlySpan{int})"/>), so the hot path makes no tensor per item.
/// </summary>
public abstract class Dataset
{
    /// <summary>How many items there are.</summary>
    public abstract int Count { get; }

    /// <summary>Item <paramref name="index"/> as (x, y); y is null when there are no targets.</summary>
    public abstract (Tensor X, Tensor? Y) this[int index] { get; }

    /// <summary>The items at <paramref name="indices"/> as one batch, batch dimension first.</summary>
    public abstract Batch Collate(ReadOnlySpan<int> indices);

    /// <summary>
    /// The batch at <paramref name="indices"/> for draw <paramref name="drawKey"/> (a loader's pass and batch number):
    /// datasets with per-draw randomness derive it from the key, so a run repeats (and resumes) draw for draw.
    /// </summary>
    internal virtual Batch Collate(ReadOnlySpan<int> indices, ulong drawKey) => Collate(indices);

    /// <summary>Whether every batch <see cref="Collate(ReadOnlySpan{int})"/> gives has inputs in new storage nothing else holds, so batch transforms may work in place.</summary>
    internal virtual bool CollatesFreshInputs => false;

    /// <summary>The seed's <c>list(zip(x, y))</c>: items are rows of <paramref name="x"/> and <paramref name="y"/>.</summary>
    public static Dataset Zip(Tensor x, Tensor y) => new TensorDataset(x, y);

    /// <summary>A dataset over a list of (x, y) pairs; batches stack the pairs' tensors.</summary>
    public static Dataset FromPairs(IReadOnlyList<(Tensor X, Tensor Y)> pairs) => new PairListDataset(pairs);

    /// <summary>Checks that <paramref name="index"/> is an item index.</summary>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Item {index} is out of range for a dataset of {Count} items.");
    }
}
