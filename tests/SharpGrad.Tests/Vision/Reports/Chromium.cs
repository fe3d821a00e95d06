using System.Diagnostics;

namespace SharpGrad.Tests.Vision.Reports;

/// <summary>Headless Chromium, when installed (Debian's <c>chromium</c>; <c>.ci/run</c> installs it): runs it and returns what it printed.</summary>
internal static class Chromium
{
    /// <summary>The browser's path: <c>$SHARPGRAD_CHROMIUM</c>, else chromium, chromium-browser or google-chrome on the PATH; null when none.</summary>
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("SHARPGRAD_CHROMIUM") is { Length: > 0 } env && File.Exists(env)) return env;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
            foreach (string name in new[] { "chromium", "chromium-browser", "google-chrome" })
                if (dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, name))) return System.IO.Path.Combine(dir, name);
        return null;
    }

    /// <summary>Runs the browser headless (offline: every host name resolves nowhere) with <paramref name="args"/>.</summary>
    public static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path ?? throw new InvalidOperationException("Chromium is not installed."))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", .. args])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException("Chromium did not finish in 2 minutes.");
        }
        return (p.ExitCode, await output, await err);
    }
}

/// <summary>A fact that needs Chromium: skipped, with the reason, when it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null) Skip = "Chromium is not installed (apt-get install chromium; .ci/run installs it when it can).";
    }
}
