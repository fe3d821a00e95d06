using SharpGrad.Cuda;

namespace SharpGrad.Benchmarks;

/// <summary>
/// The device a suite trains on: <c>--device=cuda</c> (or <c>cuda:N</c>) on the command line, the CPU by default. The
/// suites that support it (train-mlp, train-resnet18, gpu-gemm) move their learner there and ask their PyTorch peer
/// for the same device (<c>--device cuda</c>), so both sides run on one GPU in the same run.
/// </summary>
internal static class BenchDevice
{
    /// <summary>The device named by <c>--device=</c> (the CPU until <see cref="Open"/> has read it).</summary>
    public static Device Current { get; private set; } = Device.Cpu;

    /// <summary>Whether the suites run on a GPU.</summary>
    public static bool IsGpu => !Current.IsCpu;

    /// <summary>The argument that asks a PyTorch peer or a worker for the same device (none on the CPU).</summary>
    public static string[] PeerArgs => IsGpu ? ["--device", $"cuda:{Current.Index}"] : [];

    /// <summary>The argument that passes the device to this binary's own worker process.</summary>
    public static string[] WorkerArgs => IsGpu ? [$"--device=cuda:{Current.Index}"] : [];

    /// <summary>" on cuda:0" for row names on a GPU, nothing on the CPU.</summary>
    public static string Suffix => IsGpu ? $" on {Current}" : "";

    /// <summary>Reads <c>--device=</c> from <paramref name="args"/> and opens that device; the reason it cannot be used, or null.</summary>
    public static string? Open(string[] args)
    {
        string? value = args.FirstOrDefault(a => a.StartsWith("--device=", StringComparison.Ordinal))?["--device=".Length..];
        if (value is null) return null;
        Device device;
        try
        {
            device = Device.Parse(value);
        }
        catch (FormatException e)
        {
            return $"--device={value}: {e.Message}";
        }
        if (!device.IsCpu && !CudaBackend.TryOpen(device, out string? reason)) return $"--device={value}: {reason}";
        Current = device;
        return null;
    }
}
