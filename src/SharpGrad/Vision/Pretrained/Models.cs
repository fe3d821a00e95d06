using SharpGrad.IO.Onnx;
using SharpGrad.NN;
using SharpGrad.Reporting;

namespace SharpGrad.Vision;

/// <summary>The model catalog (torchvision's <c>models.resnet18(pretrained=...)</c>): architectures, with pretrained weights where they can be had.</summary>
public static class Models
{
    /// <summary>
    /// A ResNet18. Without <paramref name="pretrained"/>: torchvision's, blocks [2, 2, 2, 2], randomly initialised. With it:
    /// CNTK's ImageNet-trained ResNet18 from ML.NET's NuGet package (the only pretrained CNN these machines can reach;
    /// torchvision's weights are not), which has blocks [2, 2, 2, 3] (15.9M parameters in the body) — fetched and cached
    /// on first use (<see cref="PretrainedFetcher"/>), mapped to torchvision's names, with the input preprocessing it was
    /// trained with built in: a first <see cref="Normalization"/> layer subtracts the mean colour and conv1 is rewritten to
    /// read RGB in 0..1 (it was trained on BGR in 0..255), so it takes the same 0..1 RGB images as everything else. Its
    /// <c>fc</c> (<paramref name="numClasses"/> outputs) is new: the package holds only the body.
    /// </summary>
    /// <exception cref="PretrainedUnavailableException">The weights could not be fetched; the message lists every source tried.</exception>
    public static ResNet Resnet18(bool pretrained = false, int numClasses = 1000, string? dataDirectory = null, IProgressReporter? progress = null,
                                  Generator? generator = null, CancellationToken cancellation = default)
    {
        if (!pretrained) return ResNet.Resnet18(numClasses, generator);
        string dir = PretrainedFetcher.Get(PretrainedModel.Resnet18Cntk, dataDirectory, progress, cancellation);
        return LoadCntkResnet18(Path.Combine(dir, "ResNet18.onnx"), Path.Combine(dir, "ResNetPreprocess.onnx"), numClasses, generator);
    }

    /// <summary>Builds the pretrained CNTK ResNet18 from its two ONNX files (see <see cref="Resnet18"/>).</summary>
    internal static ResNet LoadCntkResnet18(string modelPath, string preprocessPath, int numClasses = 1000, Generator? generator = null)
    {
        (Dictionary<string, Tensor> state, int[] blocks) = CntkResNetWeights.Map(OnnxFile.Load(modelPath), modelPath);
        if (!blocks.SequenceEqual([2, 2, 2, 3]))
            throw new InvalidDataException($"{modelPath}: found blocks [{string.Join(", ", blocks)}] per layer, expected CNTK's [2, 2, 2, 3].");
        double[] bgr = CntkResNetWeights.ChannelMeansBgr(OnnxFile.Load(preprocessPath), preprocessPath);
        // The network was trained on x_bgr255 - mean_bgr. With y = x_rgb01 - mean_rgb/255 and conv1 reading channel c
        // through 255 * W[:, 2 - c], conv1(y) equals the original conv1 on the original input, zero padding included.
        float[] meanRgb = [(float)(bgr[2] / 255), (float)(bgr[1] / 255), (float)(bgr[0] / 255)];
        Tensor w = state["conv1.weight"];
        state["conv1.weight"] = Tensor.Stack([w[.., 2], w[.., 1], w[.., 0]], 1) * 255f;
        var resnet = new ResNet(blocks, numClasses, 3, generator, new Normalization(meanRgb, [1f, 1f, 1f]));
        foreach ((string name, Tensor t) in resnet.StateDict())
            if (name.StartsWith("fc.", StringComparison.Ordinal) || name.StartsWith("normalize.", StringComparison.Ordinal)) state[name] = t.Clone();
        resnet.LoadStateDict(state);
        return resnet;
    }
}
