namespace SharpGrad.Data;

/// <summary>Thrown when every source of a dataset failed; the message lists each source and why it failed.</summary>
public sealed class DatasetUnavailableException : IOException
{
    /// <summary>Creates the exception for <paramref name="dataset"/> with one "source: reason" entry per failed source.</summary>
    public DatasetUnavailableException(string dataset, IReadOnlyList<string> failures)
        : base($"Could not fetch dataset '{dataset}'; every source failed:{Environment.NewLine}" +
               string.Join(Environment.NewLine, failures.Select(f => "  - " + f)))
    {
        Dataset = dataset;
        Failures = failures;
    }

    /// <summary>The dataset that could not be fetched.</summary>
    public string Dataset { get; }

    /// <summary>One "source: reason" line per source tried.</summary>
    public IReadOnlyList<string> Failures { get; }
}
