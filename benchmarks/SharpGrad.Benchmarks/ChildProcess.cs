using System.Diagnostics;
using System.Text.Json;

namespace SharpGrad.Benchmarks;

/// <summary>
/// Runs one side of a benchmark as a child process and reads the JSON object it prints last on stdout: the Python
/// peers in benchmarks/peers, and this binary's own workers. A side that cannot run is reported as n/a, with one
/// warning per side on stderr, so a missing peer never stops a suite.
/// </summary>
internal static class ChildProcess
{
    private static readonly HashSet<string> Warned = [];

    /// <summary>
    /// The command that runs this benchmark binary again with <paramref name="args"/>: the apphost directly (as
    /// <c>dotnet run</c> starts it), or <c>dotnet the.dll</c> when the process is the dotnet host.
    /// </summary>
    public static (string File, string[] Args) Self(params string[] args)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [typeof(ChildProcess).Assembly.Location, .. args]) : (host, args);
    }

    /// <summary>
    /// The last <c>{...}</c> line of <paramref name="file"/> <paramref name="args"/>, parsed; or null after a warning
    /// "<paramref name="who"/>: <paramref name="failure"/>: why" when it cannot start, fails or prints no JSON. On
    /// success the child's last stderr line (its own summary) is echoed after "<paramref name="who"/>: ".
    /// </summary>
    public static JsonElement? RunJson(string file, string[] args, string who, string failure)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        try
        {
            using Process p = Process.Start(psi)!;
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string err = stderr.Result.Trim();
            if (p.ExitCode != 0) return Warn(who, $"{failure}: {err.Split('\n').LastOrDefault()}");
            if (err.Length > 0) Console.Error.WriteLine($"{who}: {err.Split('\n').Last()}");
            string? line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
            if (line is null) return Warn(who, $"{failure}: it printed no JSON line");
            using JsonDocument doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return Warn(who, $"{failure} ({file}: {e.Message})");
        }
    }

    private static JsonElement? Warn(string who, string message)
    {
        if (Warned.Add(who)) Console.Error.WriteLine($"{who}: {message}");
        return null;
    }
}

/// <summary>The Python peers: <c>/usr/bin/python3 benchmarks/peers/SCRIPT args</c> through <see cref="ChildProcess"/>.</summary>
internal static class PythonPeer
{
    /// <summary>The Python that runs the peers: <c>$SHARPGRAD_PEER_PYTHON</c> (a GPU machine's CUDA build of PyTorch), else Debian's.</summary>
    public static string Python => Environment.GetEnvironmentVariable("SHARPGRAD_PEER_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    public static JsonElement? Run(string script, string[] args, string who) =>
        ChildProcess.RunJson(Python, [Path.Combine(Repo.Root, "benchmarks", "peers", script), .. args], who,
            "warning: the peer failed, reporting it as n/a (install python3-torch and python3-torchvision with --install-peers)");
}
