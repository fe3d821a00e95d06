using SharpGrad.Reporting;

namespace SharpGrad.Tests.Data;

/// <summary>Records log lines and started tasks instead of printing them.</summary>
internal sealed class CapturingReporter : IProgressReporter
{
    public List<string> Lines { get; } = [];
    public List<string> Tasks { get; } = [];

    public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false)
    {
        lock (Lines) Tasks.Add(description);
        return Reporters.Silent.Start(description, total, bytes);
    }

    public void Log(string message)
    {
        lock (Lines) Lines.Add(message);
    }
}
