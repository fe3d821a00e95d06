namespace SharpGrad.Reporting;

/// <summary>The built-in progress reporters.</summary>
public static class Reporters
{
    /// <summary>Reports nothing.</summary>
    public static IProgressReporter Silent { get; } = new SilentReporter();

    /// <summary>Progress and log lines through <paramref name="logger"/> (<see cref="LoggerReporter"/>).</summary>
    public static IProgressReporter FromLogger(Microsoft.Extensions.Logging.ILogger logger) => new LoggerReporter(logger);

    /// <summary>Plain progress lines on standard error (<see cref="PlainReporter"/>).</summary>
    public static IProgressReporter Console { get; } = new PlainReporter();

    /// <summary>
    /// Where the library reports when no reporter is passed (downloads, a <see cref="Learning.Learner"/>'s progress):
    /// <see cref="Console"/> unless an app sets another, as the <c>sharpgrad</c> command does for its live bars.
    /// </summary>
    public static IProgressReporter Default { get; set; } = Console;

    private sealed class SilentReporter : IProgressReporter
    {
        public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false) => new SilentTask();
        public void Log(string message) { }
    }

    private sealed class SilentTask : IProgressTask
    {
        public void Advance(long amount) { }
        public void SetTotal(long total) { }
        public void Complete() { }
        public void Dispose() { }
    }
}
