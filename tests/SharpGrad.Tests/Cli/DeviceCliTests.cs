using SharpGrad.Cuda;

namespace SharpGrad.Tests.Cli;

/// <summary><c>sharpgrad train --device</c>: a CUDA device when asked (the simulator stands in here), the CPU with one line when auto finds none, a clear refusal otherwise.</summary>
[Trait("Category", "Device")]
public class DeviceCliTests
{
    [Fact]
    public void Train_on_a_device_gives_the_CPUs_result_and_exports_a_model_the_CPU_predicts_with()
    {
        using var dir = new Data.TempDir();
        string images = CliTrialTests.TinyFolder(dir, 12), onDevice = Path.Combine(dir, "d.sgl");
        string[] train = ["train", images, "--epochs", "2", "--lr", "0.5", "--bs", "8"];
        var (cpuCode, cpuOut, cpuErr) = CliProcess.Run([.. train]);
        Assert.True(cpuCode == 0, cpuOut + cpuErr);
        var sim = new Dictionary<string, string> { [CudaBackend.SimulatorVariable] = "1" };
        var (code, output, err) = CliProcess.RunWith(sim, [.. train, "--device", "cuda", "--out", onDevice]);
        Assert.True(code == 0, output + err);
        Assert.Contains("training on cuda:0", output);
        // The same seed and data: the same final metric line, whether the MLP trained on the CPU or the device.
        string Metric(string text) => text.Split('\n').First(l => l.StartsWith("batch_accuracy", StringComparison.Ordinal)).Split(" after ")[0];
        Assert.Equal(Metric(cpuOut), Metric(output));
        var (pCode, pOut, pErr) = CliProcess.Run("predict", onDevice, Path.Combine(images, "left", "0.png"));
        Assert.True(pCode == 0, pOut + pErr);
    }

    [Fact]
    public void Auto_without_a_GPU_trains_on_the_CPU_saying_so_and_a_bad_device_is_refused_before_training()
    {
        using var dir = new Data.TempDir();
        string images = CliTrialTests.TinyFolder(dir, 6);
        if (CudaBackend.TryOpen(Device.Cuda(7), out _)) return; // a machine with eight GPUs: nothing to fall back from
        var (code, output, err) = CliProcess.Run("train", images, "--epochs", "1", "--device", "auto");
        Assert.True(code == 0, output + err);
        Assert.Contains("--device auto: no CUDA device", err);
        Assert.Contains("training on the CPU", err);
        var (badCode, badOut, badErr) = CliProcess.Run("train", images, "--epochs", "1", "--device", "gpu");
        Assert.NotEqual(0, badCode);
        Assert.Contains("cpu, cuda or cuda:N", badOut + badErr);
        var (noCode, noOut, noErr) = CliProcess.Run("train", images, "--epochs", "1", "--device", "cuda:7");
        Assert.NotEqual(0, noCode);
        Assert.Contains("cuda:7", noOut + noErr);
        Assert.DoesNotContain("batch_accuracy", noOut);
    }
}
