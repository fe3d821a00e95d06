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

    /// <summary>
    /// Asserts a device result equals the CPU's: same shape, each element within <paramref name="atol"/> absolute plus
    /// 1e-4 relative, or the very same value (NaN and infinities included).
    /// </summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what, float atol = 1e-5f)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        float[] e = expected.Detach().To(Device.Cpu).ToArray<float>(), a = actual.Detach().To(Device.Cpu).ToArray<float>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(e[i].Equals(a[i]) || Math.Abs(e[i] - a[i]) <= atol + 1e-4f * Math.Abs(e[i]), $"{what}: element {i} is {a[i]} on the device, {e[i]} on the CPU");
    }
}
