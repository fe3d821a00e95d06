namespace SharpGrad.NN;

/// <summary>
/// Max pooling (PyTorch's <c>nn.MaxPool2d</c>, dilation 1, ceil_mode false) of <c>[N, C, H, W]</c> or <c>[C, H, W]</c> inputs;
/// the stride defaults to the kernel size.
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Square windows of <paramref name="kernelSize"/>, every <paramref name="stride"/> (default: the kernel size) pixels.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding), true)
    {
    }

    /// <summary>Windows of (height, width) <paramref name="kernelSize"/>, stride (default: the kernel size) and padding.</summary>
    public MaxPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default)
        : this(kernelSize, stride ?? kernelSize, padding, false)
    {
    }

    private MaxPool2d((int, int) kernelSize, (int, int) stride, (int, int) padding, bool asInts)
    {
        PoolArgs.Check("MaxPool2d", kernelSize, stride, padding);
        (KernelSize, Stride, Padding, SizesAsInts) = (kernelSize, stride, padding, asInts);
    }

    /// <summary>Window (height, width).</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>Step between windows (height, width).</summary>
    public (int Height, int Width) Stride { get; }

    /// <summary>Implicit padding (height, width) on both sides; padded positions never win.</summary>
    public (int Height, int Width) Padding { get; }

    /// <summary>Whether the sizes were given as single ints (printed as <c>3</c> rather than <c>(3, 3)</c>, as PyTorch does).</summary>
    internal bool SizesAsInts { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PyRepr.Size(KernelSize, SizesAsInts)}, stride={PyRepr.Size(Stride, SizesAsInts)}, padding={PyRepr.Size(Padding, SizesAsInts || Padding == (0, 0))}, dilation=1, ceil_mode=False";
}
