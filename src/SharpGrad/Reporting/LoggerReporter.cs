using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SharpGrad.Reporting;

/// <summary>
/// Reports to an <see cref="ILogger"/> (Microsoft.Extensions.Logging), for apps that log rather than print: a hosted
/// service, a web app. Log lines are Information; a task logs when it starts and ends (Information) and its progress
/// every few seconds (Debug), with the description as a structured value. Use it with
/// <c>Reporters.Default = Reporters.FromLogger(logger)</c>, or pass it where a reporter is taken.
/// </summary>
public sealed class LoggerReporter(ILogger logger) : IProgressReporter
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = logger ?? throw new ArgumentNullException(nameof(logger));

    /// <inheritdoc/>
    public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false)
    {
        if (transient) return Reporters.Silent.Start(description, total);
        _logger.LogInformation("{Task}: started", description);
        return new LoggedTask(_logger, description, total, bytes);
    }

    /// <inheritdoc/>
    public void Log(string message) => _logger.LogInformation("{Message}", message);

    private sealed class LoggedTask(ILogger logger, string description, long? total, bool bytes) : IProgressTask
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done, _total = total ?? -1;
        private TimeSpan _last;
        private int _ended;

        private string Amount(long n) => bytes ? Units.Bytes(n) : n.ToString("N0");

        public void Advance(long amount)
        {
            long done = Interlocked.Add(ref _done, amount);
            if (_clock.Elapsed - _last < Interval || !logger.IsEnabled(LogLevel.Debug)) return;
            _last = _clock.Elapsed;
            logger.LogDebug("{Task}: {Done} of {Total}", description, Amount(done), _total > 0 ? Amount(_total) : "?");
        }

        public void SetTotal(long total) => _total = total;

        public void Complete()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
                logger.LogInformation("{Task}: {Done} in {Elapsed}", description, Amount(_done), Units.Duration(_clock.Elapsed));
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
                logger.LogWarning("{Task}: stopped after {Done}", description, Amount(_done));
        }
    }
}
