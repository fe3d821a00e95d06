using SharpGrad.Reporting;

namespace SharpGrad.Data.Sources;

/// <summary>What a source needs while fetching: the dataset's name, the cache root, progress and cancellation.</summary>
internal class FetchContext(string dataset, string root, IProgressReporter progress, CancellationToken cancellation)
{
    /// <summary>The dataset being fetched.</summary>
    public string Dataset { get; } = dataset;

    /// <summary>The cache root (other datasets a derived one is built from live here too).</summary>
    public string Root { get; } = root;

    /// <summary>Where progress and log lines go.</summary>
    public IProgressReporter Progress { get; } = progress;

    /// <summary>Cancels the fetch.</summary>
    public CancellationToken Cancellation { get; } = cancellation;
}
