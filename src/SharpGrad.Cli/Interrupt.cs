using System.Runtime.InteropServices;

namespace SharpGrad.Cli;

/// <summary>
/// Ctrl-C during training: the first press asks the learner to stop after the batch it is on (it then writes a
/// checkpoint and prints how to resume); a second press exits at once. Exit code 130, as shells report SIGINT.
/// </summary>
internal sealed class Interrupt : IDisposable
{
    /// <summary>128 + SIGINT.</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration? _registration;
    private int _presses;

    private Interrupt()
    {
        try
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        }
        catch (PlatformNotSupportedException)
        {
            Console.CancelKeyPress += (_, e) => { e.Cancel = Interlocked.Increment(ref _presses) == 1; _cts.Cancel(); };
        }
    }

    /// <summary>Starts listening for Ctrl-C until disposed.</summary>
    public static Interrupt Listen() => new();

    /// <summary>Cancelled at the first Ctrl-C.</summary>
    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _presses) == 1)
        {
            context.Cancel = true; // keep running: finish the batch, checkpoint, exit
            Console.Error.WriteLine("Stopping after this batch (press Ctrl-C again to quit at once)...");
            _cts.Cancel();
            return;
        }
        Environment.Exit(ExitCode);
    }

    /// <summary>The command line that was run, with <c>--resume</c> added if it was not there.</summary>
    public static string ResumeCommand()
    {
        string[] args = Environment.GetCommandLineArgs()[1..];
        IEnumerable<string> quoted = args.Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? $"'{a.Replace("'", "'\\''")}'" : a);
        return string.Join(' ', ["sharpgrad", .. quoted, .. args.Contains("--resume") ? Array.Empty<string>() : ["--resume"]]);
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _cts.Dispose();
    }
}
