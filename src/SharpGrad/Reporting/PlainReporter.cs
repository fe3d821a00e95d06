using System.Diagnostics;

namespace SharpGrad.Reporting;

/// <summary>
/// Reports to a text writer (standard error by default) in plain lines: one when work starts to be measured, one every
/// few seconds while it runs (done, rate, time left), and one when it ends. Thread-safe. The library's default; the
/// <c>sharpgrad</c> command draws live bars on a terminal instead.
/// </summary>
public sealed class PlainReporter(TextWriter? output = null) : IProgressReporter
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly object _gate = new();

    private TextWriter Output => output ?? Console.Error;

    /// <inheritdoc/>
    public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false) =>
        transient ? Reporters.Silent.Start(description, total) : new PlainTask(this, description, total, bytes);

    /// <inheritdoc/>
    public void Log(string message)
    {
        lock (_gate) Output.WriteLine(message);
    }

    private sealed class PlainTask(PlainReporter owner, string description, long? total, bool bytes) : IProgressTask
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done, _total = total ?? -1;
        private TimeSpan _lastLine;
        private bool _ended;

        private string Amount(long n) => bytes ? Units.Bytes(n) : n.ToString("N0");

        public void Advance(long amount)
        {
            long done = Interlocked.Add(ref _done, amount);
            if (_clock.Elapsed - _lastLine < PlainInterval) return;
            _lastLine = _clock.Elapsed;
            string of = _total > 0 ? $"{100.0 * done / _total:F0}% ({Amount(done)} of {Amount(_total)})" : Amount(done);
            string eta = _total > done && done > 0
                ? $", about {Units.Duration(_clock.Elapsed * ((double)(_total - done) / done))} left" : "";
            owner.Log($"{description}: {of}, {Rate(done)}{eta}");
        }

        private string Rate(long done) => bytes
            ? $"{Units.Bytes(done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3))}/s"
            : $"{done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3):F0}/s";

        public void SetTotal(long total) => _total = total;

        public void Complete()
        {
            if (_ended) return;
            _ended = true;
            owner.Log(_done == 0
                ? $"{description}: done in {Units.Duration(_clock.Elapsed)}"
                : $"{description}: {Amount(_done)} in {Units.Duration(_clock.Elapsed)} ({Rate(_done)})");
        }

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            owner.Log($"{description}: stopped after {Amount(_done)}");
        }
    }

}
