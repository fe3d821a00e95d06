using System.Diagnostics;

namespace SharpGrad.Benchmarks;

/// <summary>Installs the peers' Debian packages (OpenBLAS, python3-torch, python3-torchvision) with apt-get, as root.</summary>
internal static class Apt
{
    public static void Install(params string[] packages)
    {
        Console.Error.WriteLine($"installing {string.Join(" ", packages)} with apt-get ...");
        string[][] steps = [["update", "-qq"], ["install", "-y", "-qq", .. packages]];
        foreach (string[] args in steps)
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo("apt-get", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                p.StandardOutput.ReadToEnd();
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) Console.Error.WriteLine($"apt-get {string.Join(" ", args)} failed (exit {p.ExitCode}): {err.Trim()}");
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"apt-get {string.Join(" ", args)} failed: {e.Message}");
                return;
            }
        }
    }
}
