using Microsoft.Extensions.Logging;
using SharpGrad.Reporting;

namespace SharpGrad.Tests.Learning;

/// <summary>The library's progress and log lines reach an <see cref="ILogger"/>.</summary>
public class LoggerReporterTests
{
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }

    [Fact]
    public void TasksAndLinesGoToTheLogger()
    {
        var logger = new ListLogger();
        IProgressReporter reporter = Reporters.FromLogger(logger);
        reporter.Log("skipped a source: offline");
        using (IProgressTask task = reporter.Start("decoding 3 images", 3))
        {
            task.Advance(3);
            task.Complete();
        }
        using (reporter.Start("downloading", 100, bytes: true)) { } // abandoned
        Assert.Contains((LogLevel.Information, "skipped a source: offline"), logger.Lines);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Text.StartsWith("decoding 3 images: 3 in", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith("downloading: stopped after 0 B", StringComparison.Ordinal));
    }
}
