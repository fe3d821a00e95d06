using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Vision;

/// <summary>
/// fastai 1's <c>cnn_learner(dls, resnet18, pretrained=False)</c>: the ResNet body (everything before its pooling and
/// fc), fastai's head, three parameter groups, Adam by default (fit it with <c>FitOneCycle</c>). Untrained by default;
/// <see cref="VisionLearner"/> is fastai 2's spelling, pretrained by default.
/// </summary>
public static class CnnLearner
{
    /// <summary>A learner for <paramref name="dls"/> with a fresh <paramref name="arch"/> body and fastai's head sized for the vocab.</summary>
    public static Learner Create(DataLoaders dls, Arch arch, Func<Tensor, Tensor, Tensor>? lossFunc = null, IEnumerable<Metric>? metrics = null,
                                 OptimizerFactory? opt = null, double lr = 1e-3, int? numClasses = null, Generator? generator = null, bool pretrained = false) =>
        VisionLearner.Create(dls, arch, pretrained, lossFunc, metrics, opt, lr, numClasses, generator);

    /// <summary><c>Sequential(body, head)</c> for <paramref name="arch"/> with <paramref name="numClasses"/> outputs.</summary>
    public static Sequential CreateModel(Arch arch, int numClasses, int inChannels = 3, Generator? generator = null)
    {
        ResNet resnet = arch switch
        {
            Arch.Resnet18 => new ResNet([2, 2, 2, 2], 1000, inChannels, generator),
            Arch.Resnet34 => new ResNet([3, 4, 6, 3], 1000, inChannels, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, "Unknown architecture."),
        };
        var body = new Sequential([.. resnet.BodyLayers]);
        return new Sequential(body, CreateHead(512 * 2, numClasses, generator: generator));
    }

    /// <summary>
    /// fastai's <c>create_head(nf, n_out)</c>: concat pool (max and average) → flatten → BN → dropout 0.25 → linear
    /// (no bias) to 512 → ReLU → BN → dropout 0.5 → linear (no bias) to <paramref name="numClasses"/>; linear weights kaiming-normal.
    /// </summary>
    public static Sequential CreateHead(int nf, int numClasses, int hidden = 512, float ps = 0.5f, Generator? generator = null)
    {
        var first = new Linear(nf, hidden, bias: false, generator: generator);
        var last = new Linear(hidden, numClasses, bias: false, generator: generator);
        Init.KaimingNormal(first.Weight, generator: generator);
        Init.KaimingNormal(last.Weight, generator: generator);
        return new Sequential(
            new AdaptiveConcatPool2d(), new Flatten(),
            new BatchNorm1d(nf), new Dropout(ps / 2, generator), first, new ReLU(),
            new BatchNorm1d(hidden), new Dropout(ps, generator), last);
    }

    /// <summary>
    /// fastai's <c>_resnet_split</c>: the body up to layer2 (body[0:6]: stem, layer1, layer2; a pretrained body's
    /// normalisation layer first), its last two layers (layer3, layer4), the head.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Tensor>> Split(Module model)
    {
        if (model is not Sequential { Layers: [Sequential body, Module head] } || body.Layers.Count < 3)
            throw new ArgumentException("CnnLearner.Split expects Sequential(body, head) as CreateModel builds it.");
        int cut = body.Layers.Count - 2;
        return
        [
            body.Layers.Take(cut).SelectMany(m => m.Parameters()).ToList(),
            body.Layers.Skip(cut).SelectMany(m => m.Parameters()).ToList(),
            head.Parameters().ToList(),
        ];
    }
}
