using System.Diagnostics;
using System.Runtime.InteropServices;
using SharpGrad.IO;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Cli;

/// <summary>
/// The test that matters for checkpoints: `sharpgrad train --checkpoint-dir` killed with SIGKILL at random moments
/// (checkpoint writes included: one is written every batch) and resumed each time, then finished, ends with weights
/// bitwise identical to an uninterrupted run; no corrupt checkpoint is ever loaded (each is verified by its SHA-256)
/// and no temporary file remains. Then the same with Ctrl-C (SIGINT): exit 130, a resume command, the same weights.
/// </summary>
[Trait("Category", "Kill")]
public class KillResumeTests
{
    private const int Kills = 20;

    private static string[] Args(string folder, string ck, string model, int epochs = 30) =>
        ["train", folder, "--bs", "8", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lr", "0.05", "--seed", "1",
         "--checkpoint-dir", ck, "--checkpoint-every", "1", "--out", model];

    private static Process Start(string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "SharpGrad.Cli.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static Dictionary<string, float[]> Weights(string file) =>
        SafeTensors.Load(file).ToDictionary(kv => kv.Key, kv => kv.Value.Float().ToArray<float>());

    [Fact]
    public void Twenty_SIGKILLs_and_resumes_end_with_bitwise_the_uninterrupted_weights()
    {
        using var dir = new TempDir();
        string folder = CliTrialTests.TinyFolder(dir, 100);
        string reference = Path.Combine(dir, "reference.sgl");
        var (code, _, err) = CliProcess.Run(Args(folder, Path.Combine(dir, "ck-ref"), reference));
        Assert.True(code == 0, err);

        string ck = Path.Combine(dir, "ck"), model = Path.Combine(dir, "model.sgl");
        var random = new Random(12345);
        int kills = 0, runs = 0;
        while (true)
        {
            runs++;
            using Process p = Start([.. Args(folder, ck, model), "--resume"]);
            if (kills < Kills)
            {
                Thread.Sleep(random.Next(150, 1200));
                if (!p.HasExited)
                {
                    p.Kill(); // SIGKILL
                    p.WaitForExit();
                    kills++;
                    continue;
                }
            }
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "a resumed run did not finish");
            if (p.ExitCode == 0 && kills >= Kills) break;
            Assert.True(p.ExitCode == 0, $"run {runs} exited with {p.ExitCode}");
            if (kills >= Kills) break;
            // A run that finished before its kill: start over so the kills keep landing in training.
            File.Delete(model);
            Directory.Delete(ck, recursive: true);
        }
        Assert.True(kills >= Kills, $"only {kills} kills");
        Assert.Equal(Weights(reference), Weights(model));
        Assert.Equal(["checkpoint.sgl"], Directory.GetFiles(ck).Select(Path.GetFileName));
        Assert.DoesNotContain(Directory.GetFiles(dir), f => f.Contains(AtomicFile.TempMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_C_checkpoints_prints_the_resume_command_and_exits_130()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        string folder = CliTrialTests.TinyFolder(dir, 100);
        string reference = Path.Combine(dir, "reference.sgl");
        const int Epochs = 150; // long enough to be interrupted
        Assert.Equal(0, CliProcess.Run(Args(folder, Path.Combine(dir, "ck-ref"), reference, Epochs)).Code);

        string ck = Path.Combine(dir, "ck"), model = Path.Combine(dir, "model.sgl");
        string cli = Path.Combine(AppContext.BaseDirectory, "SharpGrad.Cli.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [cli, .. Args(folder, ck, model, Epochs)]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync(), stdout = p.StandardOutput.ReadToEndAsync();
        Thread.Sleep(1500);
        Assert.False(p.HasExited, "training finished before the interrupt");
        Assert.Equal(0, Kill(p.Id, 2)); // SIGINT
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(130, p.ExitCode);
        string err = await stderr;
        await stdout;
        Assert.Contains("Resume with: sharpgrad train", err);
        Assert.Contains("--resume", err);
        Assert.False(File.Exists(model));
        var (code, _, err2) = CliProcess.Run([.. Args(folder, ck, model, Epochs), "--resume"]);
        Assert.True(code == 0, err2);
        Assert.Equal(Weights(reference), Weights(model));
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
