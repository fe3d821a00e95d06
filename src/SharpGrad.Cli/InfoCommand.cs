using System.CommandLine;
using System.Runtime.Intrinsics;
using SharpGrad.Kernels;
using Spectre.Console;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad info</c>: the SIMD path, GEMM micro-kernel, cores and threads this process uses, and whether a CUDA GPU is usable.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the SIMD path, GEMM kernel, core count and thread count in use, and the CUDA GPU if any.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("setting").AddColumn("value");
            table.AddRow("SharpGrad", typeof(Tensor).Assembly.GetName().Version?.ToString(3) ?? "?");
            table.AddRow(".NET", Environment.Version.ToString());
            table.AddRow("SIMD path", SimdPath());
            table.AddRow("GEMM micro-kernel", Gemm.KernelName);
            table.AddRow("cores", Environment.ProcessorCount.ToString());
            table.AddRow("threads", Parallelism.Threads.ToString());
            table.AddRow("CUDA GPU", Markup.Escape(CudaStatus()));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The GPU's name and memory, or why there is none (training does not use it yet: issue 16).</summary>
    internal static string CudaStatus()
    {
        if (!SharpGrad.Cuda.GpuDevice.TryCuda(out var device, out string? reason)) return reason ?? "unavailable";
        using (device) return $"{device!.Name}, {device.MemoryBytes / (1L << 30)} GiB (kernels only: training on it is not wired yet)";
    }

    internal static string SimdPath() =>
        Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512)" :
        Vector256.IsHardwareAccelerated ? "Vector256 (AVX2)" :
        Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
}
