using SharpGrad.Cuda;

namespace SharpGrad.Tests.Cuda;

/// <summary>cuda:0 for tests: ILGPU's CPU simulator, or the GPU itself when SHARPGRAD_TEST_CUDA is set (set up once per process).</summary>
internal static class TestDevices
{
    static TestDevices()
    {
        if (Environment.GetEnvironmentVariable("SHARPGRAD_TEST_CUDA") is not { Length: > 0 }) CudaBackend.UseSimulator();
    }

    /// <summary>The CUDA device the tests use.</summary>
    public static Device Cuda => Device.Cuda(0);
}
