namespace SharpGrad.Data;

/// <summary>A training and a validation <see cref="DataLoader"/> (fastai's <c>DataLoaders</c>), with the class names when known.</summary>
public sealed class DataLoaders(DataLoader train, DataLoader valid, IReadOnlyList<string>? vocab = null)
{
    /// <summary>The training batches (usually shuffled).</summary>
    public DataLoader Train { get; } = train;

    /// <summary>The validation batches (not shuffled).</summary>
    public DataLoader Valid { get; } = valid;

    /// <summary>Class names in label order, or empty when the targets are not classes.</summary>
    public IReadOnlyList<string> Vocab { get; } = vocab ?? [];

    /// <summary>Counts and shapes, e.g. for logging.</summary>
    public override string ToString() =>
        $"DataLoaders(train: {Train.Dataset.Count:N0} items in {Train.Count} batches of {Train.BatchSize}, valid: {Valid.Dataset.Count:N0} items in {Valid.Count} batches{(Vocab.Count > 0 ? $", vocab: [{string.Join(", ", Vocab)}]" : "")})";
}
