namespace SharpGrad.Reporting;

/// <summary>
/// Where long-running work (downloads, extraction, decoding, training) reports its progress and log lines.
/// <see cref="Reporters.Console"/> writes plain lines, <see cref="Reporters.Silent"/> says nothing, and an app can give its own
/// (the <c>sharpgrad</c> command draws live bars); <see cref="Reporters.Default"/> is used when none is passed.
/// </summary>
public interface IProgressReporter
{
    /// <summary>
    /// Starts a unit of work of <paramref name="total"/> units (bytes when <paramref name="bytes"/> is set), or of unknown size when null.
    /// A <paramref name="transient"/> task shows only as a live bar on a terminal (removed when done) and prints nothing otherwise.
    /// </summary>
    IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false);

    /// <summary>Writes one informational line (a skipped source and why, a cache hit, ...).</summary>
    void Log(string message);
}

/// <summary>One unit of work being reported; dispose it when the work ends, whether it succeeded or not.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Adds <paramref name="amount"/> units of completed work.</summary>
    void Advance(long amount);

    /// <summary>Sets the total once it becomes known.</summary>
    void SetTotal(long total);

    /// <summary>Marks the work as finished successfully; disposing without this reports it as abandoned.</summary>
    void Complete();
}
