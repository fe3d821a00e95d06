using Microsoft.ML.OnnxRuntime;
using SharpGrad.NN;
using Xunit.Abstractions;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Vision;

/// <summary>
/// The pretrained ResNet18 (CNTK's, from ML.NET's NuGet package) against ONNX Runtime running the package's own
/// ResNet18.onnx: the facts of shared/pretrained-resnet18.md, re-checked. The weights are fetched from the NuGet feed
/// on first use and cached.
/// </summary>
[Collection("Real datasets")]
public class PretrainedResnetTests(ITestOutputHelper log)
{
    private static readonly Lazy<ResNet> Net = new(() => Models.Resnet18(pretrained: true));

    private static string Folder => PretrainedFetcher.Get(PretrainedModel.Resnet18Cntk);

    [Fact]
    public void The_package_holds_CNTKs_resnet18_with_blocks_2_2_2_3_and_15_9M_body_parameters()
    {
        ResNet net = Net.Value;
        Assert.Equal([2, 2, 2, 3], net.Blocks);
        long body = net.NamedParameters().Where(p => !p.Name.StartsWith("fc.", StringComparison.Ordinal)).Sum(p => (long)p.Parameter.Numel);
        Assert.InRange(body, 15_890_000, 15_910_000);
        Assert.Equal("conv1.weight", net.NamedParameters().First().Name);
        Assert.Contains(net.StateDict().Keys, k => k == "layer4.2.bn2.running_var");
    }

    [Fact]
    public void The_mean_colour_matches_the_measured_channel_averages()
    {
        Tensor mean = Net.Value.Normalization!.Mean.Reshape(3);
        float[] rgb = (mean * 255f).ToArray<float>();
        Assert.Equal(123.1516, rgb[0], 3);
        Assert.Equal(115.9029, rgb[1], 3);
        Assert.Equal(103.0626, rgb[2], 3);
        Assert.Equal([1f, 1f, 1f], Net.Value.Normalization!.Std.Reshape(3).ToArray<float>());
    }

    /// <summary>
    /// Fixed 224×224 RGB inputs in 0..1 through our body (normalisation and the rewritten conv1 built in) against ONNX
    /// Runtime on the shipped graph fed BGR·255 minus the same channel means — the graph with the channel mean
    /// substituted for the per-pixel mean image, since the model uses the channel mean (the per-pixel image changes the
    /// features by about 3%; see the second test).
    /// </summary>
    [Fact]
    public void The_body_gives_ONNX_Runtimes_512_features_within_1e_4_relative()
    {
        ResNet net = Net.Value;
        net.Eval();
        var gen = new Generator(11);
        Tensor x = Tensor.Rand([2, 3, 224, 224], gen) * 0.6f + (Tensor.Arange(0, 224).Float() / 448f).Reshape(1, 1, 1, 224);
        Tensor ours;
        using (Tensor.NoGrad())
        {
            Tensor h = x;
            foreach (Module m in net.BodyLayers) h = m.Forward(h);
            ours = h.Mean([2, 3]);
        }
        float[] meanRgb = net.Normalization!.Mean.Reshape(3).ToArray<float>();
        using var session = new InferenceSession(Path.Combine(Folder, "ResNet18.onnx"), new SessionOptions { IntraOpNumThreads = 2 });
        float maxDiff = 0, maxRef = 0;
        for (int n = 0; n < 2; n++)
        {
            float[] rgb = x[n].Contiguous().ToArray<float>();
            var bgr = new float[3 * 224 * 224];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 224 * 224; i++)
                    bgr[c * 224 * 224 + i] = 255f * rgb[(2 - c) * 224 * 224 + i] - 255f * meanRgb[2 - c];
            var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(bgr, [1, 3, 224, 224]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Input247", input)]);
            float[] reference = results.First().AsEnumerable<float>().ToArray();
            float[] mine = ours[n].ToArray<float>();
            Assert.Equal(512, reference.Length);
            for (int i = 0; i < 512; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(mine[i] - reference[i]));
                maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
            }
        }
        log.WriteLine($"max |ours - ONNX Runtime| = {maxDiff:E2}, features up to {maxRef:F3}, relative {maxDiff / maxRef:E2}");
        Assert.True(maxRef > 0.5f, $"features suspiciously small: max {maxRef}");
        Assert.True(maxDiff <= 1e-4f * maxRef, $"max |ours - ONNX Runtime| = {maxDiff} for features up to {maxRef} (relative {maxDiff / maxRef:E2})");
    }

    /// <summary>ML.NET's own pipeline (ResNetPreprocess.onnx with its per-pixel mean image, then ResNet18.onnx) agrees in direction with ours.</summary>
    [Fact]
    public void The_per_pixel_mean_image_changes_the_features_only_slightly()
    {
        ResNet net = Net.Value;
        net.Eval();
        Tensor x = Tensor.Rand([1, 3, 224, 224], new Generator(12));
        float[] ours;
        using (Tensor.NoGrad())
        {
            Tensor h = x;
            foreach (Module m in net.BodyLayers) h = m.Forward(h);
            ours = h.Mean([2, 3]).ToArray<float>();
        }
        using var prep = new InferenceSession(Path.Combine(Folder, "ResNetPreprocess.onnx"));
        using var body = new InferenceSession(Path.Combine(Folder, "ResNet18.onnx"));
        float[] pixels = (x * 255f).ToArray<float>();
        using var pre = prep.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(pixels, [1, 3, 224, 224]))]);
        var preprocessed = pre.First().AsTensor<float>().ToArray();
        using var feats = body.Run([NamedOnnxValue.CreateFromTensor("Input247", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(preprocessed, [1, 3, 224, 224]))]);
        float[] reference = feats.First().AsEnumerable<float>().ToArray();
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < 512; i++) { dot += ours[i] * reference[i]; na += ours[i] * ours[i]; nb += reference[i] * reference[i]; }
        double diff = Math.Sqrt(ours.Zip(reference).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)) / nb);
        log.WriteLine($"per-pixel mean image vs channel mean: cosine {dot / Math.Sqrt(na * nb):F5}, relative L2 difference {diff:P2}");
        Assert.True(dot / Math.Sqrt(na * nb) > 0.99, $"cosine similarity {dot / Math.Sqrt(na * nb)}");
    }
}
