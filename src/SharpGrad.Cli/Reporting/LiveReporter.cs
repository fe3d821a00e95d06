using Spectre.Console;
using Spectre.Console.Rendering;

using SharpGrad.Reporting;

namespace SharpGrad.Cli;

/// <summary>
/// The command's progress display on standard error: live Spectre.Console bars (size, rate, time left) when it is an
/// interactive terminal, else the library's <see cref="PlainReporter"/> lines. Thread-safe; concurrent tasks share one
/// live display.
/// </summary>
internal sealed class LiveReporter : IProgressReporter
{
    private readonly PlainReporter _plain = new();
    private readonly object _gate = new();
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
    private ProgressContext? _live;
    private ManualResetEventSlim? _finished;
    private Thread? _renderer;
    private int _active;

    private bool Interactive => !System.Console.IsErrorRedirected && _console.Profile.Capabilities.Interactive;

    public IProgressTask Start(string description, long? total, bool bytes = false, bool transient = false)
    {
        if (!Interactive) return _plain.Start(description, total, bytes, transient);
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

    private sealed class LiveTask(LiveReporter owner, ProgressTask task) : IProgressTask
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

    /// <summary>"5.2 MB/11.0 MB" for byte tasks, "512/14,434" for counts.</summary>
    private sealed class AmountColumn(LiveReporter owner) : ProgressColumn
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
    private sealed class RateColumn(LiveReporter owner) : ProgressColumn
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
