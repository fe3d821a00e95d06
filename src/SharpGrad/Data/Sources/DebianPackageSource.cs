using System.Diagnostics;
using System.Formats.Tar;

namespace SharpGrad.Data.Sources;

/// <summary>
/// A Debian package that ships the files (e.g. <c>dataset-fashion-mnist</c> under <c>/usr/share/datasets/fashion-mnist/</c>),
/// fetched with <c>apt-get download</c> into a temporary folder and read with <c>dpkg-deb --fsys-tarfile</c>: nothing is installed.
/// Needs the package lists (<c>apt-get update</c> run once as root).
/// </summary>
internal sealed class DebianPackageSource(string package, string folder) : FileSource
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public override string Describe() => $"Debian package {package} (apt-get download)";

    public override void Fetch(FileFetch fetch)
    {
        if (!OperatingSystem.IsLinux()) throw new SourceFailedException("only on Debian-based Linux");
        string temp = Path.Combine(Path.GetTempPath(), $"sharpgrad-apt-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            using (var task = fetch.Progress.Start($"{fetch.Dataset}: apt-get download {package}", null))
            {
                (int code, string output) = Run("apt-get", ["download", "-q", package], temp, fetch.Cancellation);
                if (code != 0)
                {
                    string hint = output.Contains("Unable to locate package", StringComparison.Ordinal)
                        ? "apt knows no such package: the package lists are missing or stale; run 'apt-get update' once as root"
                        : LastLine(output);
                    throw new SourceFailedException($"apt-get download failed (exit {code}): {hint}");
                }
                task.Complete();
            }
            string deb = Directory.GetFiles(temp, "*.deb").SingleOrDefault()
                ?? throw new SourceFailedException("apt-get download produced no .deb file");
            ReadFiles(deb, fetch);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    private void ReadFiles(string deb, FileFetch fetch)
    {
        var wanted = new Dictionary<string, DatasetFile>();
        foreach (DatasetFile f in fetch.Wanted)
        {
            wanted[$"./{folder.Trim('/')}/{f.Name}.gz"] = f;
            wanted[$"./{folder.Trim('/')}/{f.Name}"] = f;
        }
        var psi = new ProcessStartInfo("dpkg-deb", ["--fsys-tarfile", deb]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process p = Start(psi);
        Task<string> errors = p.StandardError.ReadToEndAsync();
        using (var tar = new TarReader(p.StandardOutput.BaseStream))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !wanted.TryGetValue(entry.Name, out DatasetFile? file)) continue;
                fetch.Offer(file, entry.DataStream, gzipped: entry.Name.EndsWith(".gz", StringComparison.Ordinal));
            }
        }
        p.WaitForExit();
        if (p.ExitCode != 0) throw new SourceFailedException($"dpkg-deb failed (exit {p.ExitCode}): {LastLine(errors.Result)}");
    }

    private static (int Code, string Output) Run(string file, string[] args, string workingDirectory, CancellationToken cancellation)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using Process p = Start(psi);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        using CancellationTokenRegistration kill = cancellation.Register(() => { try { p.Kill(true); } catch (InvalidOperationException) { } });
        if (!p.WaitForExit(Limit))
        {
            p.Kill(true);
            throw new SourceFailedException($"{file} did not finish within {Limit.TotalMinutes:F0} minutes");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new SourceFailedException($"{psi.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SourceFailedException($"{psi.FileName} is not available on this machine ({e.Message})", e);
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal))
        ?? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
