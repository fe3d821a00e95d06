using System.CommandLine;
using System.Runtime.Intrinsics;
using SharpGrad.Kernels;
using Spectre.Console;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad info</c>: the SIMD path, GEMM micro-kernel, cores and threads this process uses.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the SIMD path, GEMM kernel, core count and thread count in use.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("setting").AddColumn("value");
            table.AddRow("SharpGrad", typeof(Tensor).Assembly.GetName().Version?.ToString(3) ?? "?");
            table.AddRow(".NET", Environment.Version.ToString());
            table.AddRow("SIMD path", SimdPath());
            table.AddRow("GEMM micro-kernel", Gemm.KernelName);
            table.AddRow("cores", Environment.ProcessorCount.ToString());
            table.AddRow("threads", Parallelism.Threads.ToString());
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    internal static string SimdPath() =>
        Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512)" :
        Vector256.IsHardwareAccelerated ? "Vector256 (AVX2)" :
        Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
}
