using System.Runtime.Intrinsics;
using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>CI re-runs the kernel tests with AVX-512 and AVX2 switched off; this proves the switch took effect.</summary>
[Trait("Category", "Kernels")]
public class KernelSelectionTests
{
    [Fact]
    public void The_GEMM_kernel_follows_the_SIMD_switches()
    {
        bool avx512Off = Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0";
        bool avx2Off = Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0";
        if (avx2Off)
        {
            Assert.False(Vector256.IsHardwareAccelerated);
            Assert.StartsWith("Vector128", Gemm.KernelName);
        }
        else if (avx512Off)
        {
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.StartsWith(Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128", Gemm.KernelName);
        }
        else
        {
            string widest = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128";
            Assert.StartsWith(widest, Gemm.KernelName);
        }
    }
}
