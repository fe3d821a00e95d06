using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SharpGrad.Reporting;

/// <summary>
/// Reports to standard error: live Spectre.Console progress bars (size, rate, time left) when it is an interactive
/// terminal, else one plain line when work starts, one every few seconds while it runs, and one when it ends.
/// Thread-safe; concurrent tasks share one live display.
/// </summary>
internal sealed class ConsoleReporter : IProgressReporter
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly object _gate = new();
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
    private ProgressContext? _live;
    private ManualResetEventSlim? _finished;
    private Thread? _renderer;
    private int _active;

    private bool Interactive => !System.Console.IsErrorRedirected && _console.Profile.Capabilities.Interactive;

    public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false)
    {
        if (!Interactive) return transient ? Reporters.Silent.Start(description, total) : new PlainTask(this, description, total, bytes);
        lock (_gate)
        {
            ProgressContext live = EnsureLive(transient);
            _active++;
            ProgressTask task = live.AddTask(Markup.Escape(description), maxValue: total is > 0 ? total.Value : 1);
            task.IsIndeterminate = total is null;
            if (bytes) ByteTasks.Add(task.Id);
            return new LiveTask(this, task);
        }
    }

    public void Log(string message)
    {
        lock (_gate)
        {
            if (_live is not null) _console.MarkupLine(Markup.Escape(message));
            else System.Console.Error.WriteLine(message);
        }
    }

    private HashSet<int> ByteTasks { get; } = [];

    private ProgressContext EnsureLive(bool clearWhenDone)
    {
        if (_live is not null) return _live;
        var ready = new ManualResetEventSlim();
        var finished = new ManualResetEventSlim();
        _renderer = new Thread(() => _console.Progress()
            .AutoClear(clearWhenDone)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new AmountColumn(this),
                     new RateColumn(this), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => { _live = ctx; ready.Set(); finished.Wait(); ctx.Refresh(); }))
        { IsBackground = true, Name = "SharpGrad progress" };
        _finished = finished;
        _renderer.Start();
        ready.Wait();
        return _live!;
    }

    private void Ended()
    {
        Thread? renderer = null;
        lock (_gate)
        {
            if (--_active > 0) return;
            _finished!.Set();
            renderer = _renderer;
            _live = null;
            _renderer = null;
            ByteTasks.Clear();
        }
        renderer?.Join();
    }

    private sealed class LiveTask(ConsoleReporter owner, ProgressTask task) : IProgressTask
    {
        private bool _done;

        public void Advance(long amount) => task.Increment(amount);
        public void SetTotal(long total) { task.MaxValue = Math.Max(total, 1); task.IsIndeterminate = false; }
        public void Complete() { task.IsIndeterminate = false; task.Value = task.MaxValue; task.StopTask(); }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            task.StopTask();
            owner.Ended();
        }
    }

    private sealed class PlainTask(ConsoleReporter owner, string description, long? total, bool bytes) : IProgressTask
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

    /// <summary>"5.2 MB/11.0 MB" for byte tasks, "512/14,434" for counts.</summary>
    private sealed class AmountColumn(ConsoleReporter owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            bool bytes;
            lock (owner._gate) bytes = owner.ByteTasks.Contains(task.Id);
            string total = task.IsIndeterminate ? "?" : bytes ? Units.Bytes(task.MaxValue) : task.MaxValue.ToString("N0");
            string done = bytes ? Units.Bytes(task.Value) : task.Value.ToString("N0");
            return new Text($"{done}/{total}");
        }
    }

    /// <summary>Bytes per second or items per second.</summary>
    private sealed class RateColumn(ConsoleReporter owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double? speed = task.Speed;
            if (speed is null) return new Text("");
            bool bytes;
            lock (owner._gate) bytes = owner.ByteTasks.Contains(task.Id);
            return new Text(bytes ? $"{Units.Bytes(speed.Value)}/s" : $"{speed.Value:F0}/s");
        }
    }
}
