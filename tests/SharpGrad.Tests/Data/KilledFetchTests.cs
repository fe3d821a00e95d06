using System.Diagnostics;
using System.IO.Compression;
using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>A <c>sharpgrad datasets get</c> process killed in the middle of a download leaves nothing a later run would trust.</summary>
[Collection("Real datasets")]
public class KilledFetchTests
{
    private static Process StartCli(string dataDir, string mirror)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "SharpGrad.Cli.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [cli, "datasets", "get", "mnist", "--data", dataDir])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment[DatasetCatalog.MirrorVariable] = mirror;
        return Process.Start(psi)!;
    }

    private static byte[] Gzip(string path)
    {
        using var m = new MemoryStream();
        using (var gz = new GZipStream(m, CompressionLevel.Fastest)) using (var f = File.OpenRead(path)) f.CopyTo(gz);
        return m.ToArray();
    }

    [Fact]
    public void A_killed_download_leaves_no_trusted_file_and_the_next_run_completes()
    {
        string source = Datasets.Get(Datasets.Mnist);
        var files = Datasets.Info(Datasets.Mnist).Files.ToDictionary(f => $"mnist/{f.Name}.gz", f => Gzip(Path.Combine(source, f.Name)));
        using var dir = new TempDir();
        string target = Path.Combine(dir, "mnist");
        using (var slow = new LocalHttpServer(files, bytesPerSecond: 1_000_000))
        using (Process cli = StartCli(dir, slow.BaseUrl))
        {
            // Wait until the first file is partly written, then kill the process mid-download.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) &&
                   !(Directory.Exists(target) && Directory.GetFiles(target, "*.partial-*").Any(f => new FileInfo(f).Length > 200_000)))
                Thread.Sleep(50);
            Assert.False(cli.HasExited, "the CLI finished before it could be killed");
            cli.Kill(); // SIGKILL: no chance to clean up
            cli.WaitForExit();
            Assert.NotEqual(0, cli.ExitCode);
        }
        Assert.False(Datasets.IsCached(Datasets.Mnist, dir),
            string.Join(", ", Directory.GetFiles(target).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length}")));
        Assert.DoesNotContain(Directory.GetFiles(target), f => !f.Contains(".partial-"));

        using (var fast = new LocalHttpServer(files))
        using (Process again = StartCli(dir, fast.BaseUrl))
        {
            string stdout = again.StandardOutput.ReadToEnd();
            string stderr = again.StandardError.ReadToEnd();
            again.WaitForExit();
            Assert.True(again.ExitCode == 0, stderr);
            Assert.Equal(target, stdout.Trim());
        }
        Assert.True(Datasets.IsCached(Datasets.Mnist, dir));
        Assert.Empty(Directory.GetFiles(target, "*.partial-*"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "t10k-labels-idx1-ubyte")), File.ReadAllBytes(Path.Combine(target, "t10k-labels-idx1-ubyte")));
    }
}
