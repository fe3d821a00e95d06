using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Reporting;

namespace SharpGrad.Vision;

/// <summary>
/// fastai's <c>vision_learner(dls, resnet18)</c>: a ResNet body — pretrained by default — and fastai's head sized for the
/// data's classes, three parameter groups (stem to layer2, layer3 and layer4, the head), Adam, cross-entropy. A
/// pretrained learner starts frozen (only the head and the batch norms train) and is meant for
/// <see cref="FineTuning.FineTune"/>. The pretrained body carries its input normalisation as its first layer, so the
/// data stays 0..1 RGB (fastai adds a Normalize batch transform instead; the effect is the same).
/// </summary>
public static class VisionLearner
{
    /// <summary>A learner for <paramref name="dls"/> with an <paramref name="arch"/> body and fastai's head.</summary>
    /// <param name="dls">3-channel image data (pretrained weights need RGB; random bodies take 1 or 3 channels).</param>
    /// <param name="arch">The body. Pretrained, <see cref="Arch.Resnet18"/> is CNTK's ImageNet ResNet18 (blocks [2, 2, 2, 3]; see <see cref="Models.Resnet18"/>).</param>
    /// <param name="pretrained">Start from ImageNet weights (fetched and cached on first use), frozen.</param>
    /// <param name="lossFunc">Default cross-entropy.</param>
    /// <param name="metrics">Validation metrics.</param>
    /// <param name="opt">Default Adam.</param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="numClasses">Outputs; default the vocab's size.</param>
    /// <param name="generator">Random source of the new weights.</param>
    /// <param name="dataDirectory">Cache root for the pretrained weights.</param>
    /// <param name="progress">Where a download reports.</param>
    /// <exception cref="NotSupportedException">No pretrained weights exist for <paramref name="arch"/> here.</exception>
    /// <exception cref="ArgumentException">Fewer than two classes, or 1-channel data with pretrained weights.</exception>
    public static Learner Create(DataLoaders dls, Arch arch, bool pretrained = true, Func<Tensor, Tensor, Tensor>? lossFunc = null,
                                 IEnumerable<Metric>? metrics = null, OptimizerFactory? opt = null, double lr = 1e-3, int? numClasses = null,
                                 Generator? generator = null, string? dataDirectory = null, IProgressReporter? progress = null)
    {
        int n = numClasses ?? dls.Vocab.Count;
        if (n < 2) throw new ArgumentException($"VisionLearner: the data has {n} classes; pass numClasses when the vocab is unknown.");
        int channels = dls.Train.Dataset is IImageDataset images ? images.Channels : 3;
        Sequential model;
        if (pretrained)
        {
            if (arch != Arch.Resnet18)
                throw new NotSupportedException($"No pretrained {arch} weights are reachable from these machines; only resnet18 (CNTK's ImageNet weights). Use pretrained: false.");
            if (channels != 3)
                throw new ArgumentException($"VisionLearner: pretrained weights take RGB images, but the data has {channels} channel(s); load it with channels: 3.");
            ResNet resnet = Models.Resnet18(pretrained: true, dataDirectory: dataDirectory, progress: progress, generator: generator);
            model = new Sequential(new Sequential([.. resnet.BodyLayers]), CnnLearner.CreateHead(512 * 2, n, generator: generator));
        }
        else
        {
            model = CnnLearner.CreateModel(arch, n, channels, generator);
        }
        var learn = new Learner(dls, model, lossFunc ?? F.CrossEntropy, opt ?? Optimizers.Adam, metrics, lr: lr, splitter: CnnLearner.Split);
        if (pretrained) learn.Freeze();
        return learn;
    }
}
