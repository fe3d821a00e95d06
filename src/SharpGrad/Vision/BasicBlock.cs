using SharpGrad.NN;

namespace SharpGrad.Vision;

/// <summary>
/// torchvision's ResNet <c>BasicBlock</c>: conv3x3(stride) → BN → ReLU → conv3x3 → BN, plus the input (through a
/// 1x1 conv + BN <c>downsample</c> when the shape changes), then ReLU. Member names are torchvision's.
/// </summary>
public sealed class BasicBlock : Module
{
    private readonly Conv2d _conv1, _conv2;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly Sequential? _downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels; a stride of 2 halves height and width.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        (InPlanes, Planes, Stride) = (inPlanes, planes, stride);
        _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, padding: 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        RegisterModule("relu", new ReLU());
        _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, padding: 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
            _downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride, bias: false, generator: generator), new BatchNorm2d(planes)));
    }

    /// <summary>Input channels.</summary>
    public int InPlanes { get; }

    /// <summary>Output channels.</summary>
    public int Planes { get; }

    /// <summary>Stride of the first convolution (and of the downsample).</summary>
    public int Stride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor x = _bn1.ForwardAfter(_conv1, input, relu: true);
        Tensor identity = _downsample is null ? input : _downsample.Forward(input);
        // bn2, the residual sum and the ReLU in one buffer (in inference, in conv2's own pass): the same as (bn2(conv2(x)) + identity).Relu().
        return _bn2.ForwardAfter(_conv2, x, relu: true, identity);
    }
}
