using SharpGrad.NN;

namespace SharpGrad.Vision;

/// <summary>
/// torchvision's ResNet with <see cref="BasicBlock"/>s: conv 7x7/2 (no bias) → BN → ReLU → max pool 3x3/2 → four
/// layers of blocks (64, 128, 256, 512 channels; stride 2 at the start of layers 2-4) → adaptive average pool → fc.
/// Convolutions are initialised kaiming-normal (fan out, ReLU), batch norms with weight 1 and bias 0, as torchvision
/// does; state-dict names are torchvision's (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>, <c>fc.weight</c>, ...).
/// A pretrained network may start with a <see cref="Normalization"/> (<c>normalize.mean</c>, <c>normalize.std</c>): the input
/// normalisation its weights expect.
/// </summary>
public sealed class ResNet : Module
{
    private readonly Module[] _stem;
    private readonly Sequential[] _layers;
    private readonly AdaptiveAvgPool2d _avgpool;
    private readonly Linear _fc;

    /// <summary>A ResNet with <paramref name="blocks"/> blocks per layer (resnet18: 2, 2, 2, 2; resnet34: 3, 4, 6, 3).</summary>
    /// <param name="blocks">Blocks per layer.</param>
    /// <param name="numClasses">Outputs of the final linear layer.</param>
    /// <param name="inChannels">Channels of the input images.</param>
    /// <param name="generator">Random source of the initial weights.</param>
    /// <param name="normalization">A first layer normalising the input, or null.</param>
    public ResNet(IReadOnlyList<int> blocks, int numClasses = 1000, int inChannels = 3, Generator? generator = null, Normalization? normalization = null)
    {
        if (blocks.Count != 4) throw new ArgumentException($"ResNet: need 4 block counts, got {blocks.Count}.", nameof(blocks));
        if (blocks.Any(b => b < 1)) throw new ArgumentException($"ResNet: every layer needs at least one block, got [{string.Join(", ", blocks)}].", nameof(blocks));
        if (normalization is not null && normalization.Channels != inChannels)
            throw new ArgumentException($"ResNet: the normalization has {normalization.Channels} channels but the input has {inChannels}.", nameof(normalization));
        Blocks = blocks;
        (NumClasses, InChannels) = (numClasses, inChannels);
        Normalization = normalization is null ? null : RegisterModule("normalize", normalization);
        _stem =
        [
            RegisterModule("conv1", new Conv2d(inChannels, 64, 7, 2, padding: 3, bias: false, generator: generator)),
            RegisterModule("bn1", new BatchNorm2d(64)),
            RegisterModule("relu", new ReLU()),
            RegisterModule("maxpool", new MaxPool2d(3, 2, 1)),
        ];
        int inPlanes = 64;
        int[] widths = [64, 128, 256, 512];
        _layers = new Sequential[4];
        for (int l = 0; l < 4; l++)
        {
            var layer = new Sequential();
            for (int b = 0; b < blocks[l]; b++)
            {
                layer.Add(new BasicBlock(inPlanes, widths[l], b == 0 && l > 0 ? 2 : 1, generator));
                inPlanes = widths[l];
            }
            _layers[l] = RegisterModule($"layer{l + 1}", layer);
        }
        _avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        _fc = RegisterModule("fc", new Linear(512, numClasses, generator: generator));
        foreach ((string name, Tensor p) in NamedParameters())
            if (p.NDim == 4) Init.KaimingNormal(p, fanOut: true, generator);
    }

    /// <summary>Blocks per layer.</summary>
    public IReadOnlyList<int> Blocks { get; }

    /// <summary>The input normalisation applied first, or null.</summary>
    public Normalization? Normalization { get; }

    /// <summary>Outputs of <c>fc</c>.</summary>
    public int NumClasses { get; }

    /// <summary>Channels of the input images.</summary>
    public int InChannels { get; }

    /// <summary>The layers before the pooling head, in order (fastai's body: conv1, bn1, relu, maxpool, layer1..layer4).</summary>
    public IReadOnlyList<Module> BodyLayers => Normalization is null ? [.. _stem, .. _layers] : [Normalization, .. _stem, .. _layers];

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor x = Sequential.Run(BodyLayers, input); // as a Sequential runs them: the stem's batch norm and ReLU fused
        return _fc.Forward(_avgpool.Forward(x).Flatten(1));
    }

    /// <summary>torchvision's resnet18: blocks 2, 2, 2, 2.</summary>
    public static ResNet Resnet18(int numClasses = 1000, Generator? generator = null) => new([2, 2, 2, 2], numClasses, generator: generator);

    /// <summary>torchvision's resnet34: blocks 3, 4, 6, 3.</summary>
    public static ResNet Resnet34(int numClasses = 1000, Generator? generator = null) => new([3, 4, 6, 3], numClasses, generator: generator);
}
