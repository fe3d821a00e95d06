using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SharpGrad.IO.Onnx;
using SharpGrad.Tests.Data;
using SharpGrad.Tests.IO.Onnx;

namespace SharpGrad.Tests.Cli;

/// <summary><c>sharpgrad export --onnx</c> and <c>sharpgrad predict MODEL.onnx</c>, in fresh processes.</summary>
public class OnnxCliTests
{
    private static float[] Raw(string output) =>
        output.Trim()[(output.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void ExportedLearnerConvertsToOnnxAndPredictsTheSame()
    {
        using var dir = new TempDir();
        string images = CliTrialTests.TinyFolder(dir, 12), sgl = Path.Combine(dir, "m.sgl"), onnx = Path.Combine(dir, "m.onnx");
        var (code, output, err) = CliProcess.Run("train", images, "--arch", "resnet18", "--epochs", "1", "--lr", "0.01", "--out", sgl);
        Assert.True(code == 0, output + err);
        (code, output, err) = CliProcess.Run("export", sgl, "--onnx", onnx);
        Assert.True(code == 0, output + err);
        Assert.Contains("Wrote", output);

        string image = Directory.GetFiles(Path.Combine(images, "right")).Order().First();
        (code, output, err) = CliProcess.Run("predict", sgl, image, "--raw");
        Assert.True(code == 0, err);
        float[] fromSgl = Raw(output);
        (code, output, err) = CliProcess.Run("predict", onnx, image, "--raw");
        Assert.True(code == 0, err);
        Assert.Equal(fromSgl, Raw(output)); // the importer runs our export bitwise
        (code, output, err) = CliProcess.Run("predict", onnx, image);
        Assert.True(code == 0, err);
        Assert.Matches(@": (left|right) \(", output);

        // ONNX Runtime alone, fed as the metadata says, agrees.
        var exported = OnnxImport.LoadLearner(onnx);
        Assert.Equal(["left", "right"], exported.Vocab);
        Tensor x = exported.Input!.Load(image).Unsqueeze(0);
        Ort.AssertClose(Tensor.From(fromSgl, [1, 2]), Ort.Run(File.ReadAllBytes(onnx), x), "ONNX Runtime on the exported learner");
    }

    [Fact]
    public void ExportErrorsAreOneLine()
    {
        using var dir = new TempDir();
        var (code, _, err) = CliProcess.Run("export", Path.Combine(dir, "none.sgl"), "--onnx", Path.Combine(dir, "x.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
        (code, _, err) = CliProcess.Run("export", Path.Combine(dir, "none.sgl"));
        Assert.Equal(2, code);
        Assert.Contains("--onnx", err);
        (code, _, err) = CliProcess.Run("export", Path.Combine(dir, "none.sgl"), "--onnx", "x.onnx", "--opset", "5");
        Assert.Equal(2, code);
        Assert.Contains("between 13 and 21", err);
    }
}

/// <summary><c>sharpgrad info</c> says whether a CUDA GPU is usable, and why not.</summary>
public class InfoCliTests
{
    [Fact]
    public void InfoNamesTheGpuOrWhyThereIsNone()
    {
        var (code, output, err) = CliProcess.Run("info");
        Assert.True(code == 0, err);
        Assert.Contains("CUDA GPU", output);
        Assert.Contains("SIMD path", output);
        bool gpu = SharpGrad.Cuda.GpuDevice.TryCuda(out var device, out _);
        device?.Dispose();
        Assert.Contains(gpu ? "GiB" : "No CUDA device found", output);
    }
}
