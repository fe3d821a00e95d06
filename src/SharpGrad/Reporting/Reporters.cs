namespace SharpGrad.Reporting;

/// <summary>The built-in progress reporters.</summary>
public static class Reporters
{
    /// <summary>Reports nothing.</summary>
    public static IProgressReporter Silent { get; } = new SilentReporter();

    /// <summary>Live Spectre.Console bars on standard error when it is an interactive terminal; plain timestamped lines otherwise.</summary>
    public static IProgressReporter Console { get; } = new ConsoleReporter();

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
