namespace SharpGrad.Vision;

/// <summary>Thrown when every source of a pretrained model failed; the message lists each source and why.</summary>
public sealed class PretrainedUnavailableException : IOException
{
    /// <summary>Creates the exception for <paramref name="model"/> with one "source: reason" entry per failed source.</summary>
    public PretrainedUnavailableException(string model, IReadOnlyList<string> failures)
        : base($"Could not fetch the pretrained weights '{model}'; every source failed:{Environment.NewLine}" +
               string.Join(Environment.NewLine, failures.Select(f => "  - " + f)) + Environment.NewLine +
               $"Set ${PretrainedFetcher.NuGetVariable} to a NuGet feed (service index or flat-container URL, or a folder holding the .nupkg) that serves the package.")
    {
        Model = model;
        Failures = failures;
    }

    /// <summary>The model that could not be fetched.</summary>
    public string Model { get; }

    /// <summary>One "source: reason" line per source tried.</summary>
    public IReadOnlyList<string> Failures { get; }
}
