namespace SharpGrad.NN;

/// <summary>
/// Average pooling (PyTorch's <c>nn.AvgPool2d</c>, ceil_mode false) of <c>[N, C, H, W]</c> or <c>[C, H, W]</c> inputs; the stride
/// defaults to the kernel size and, as in PyTorch, padded zeros count in the divisor unless <see cref="CountIncludePad"/> is false.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Square windows of <paramref name="kernelSize"/>, every <paramref name="stride"/> (default: the kernel size) pixels.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding), countIncludePad, true)
    {
    }

    /// <summary>Windows of (height, width) <paramref name="kernelSize"/>, stride (default: the kernel size) and padding.</summary>
    public AvgPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default, bool countIncludePad = true)
        : this(kernelSize, stride ?? kernelSize, padding, countIncludePad, false)
    {
    }

    private AvgPool2d((int, int) kernelSize, (int, int) stride, (int, int) padding, bool countIncludePad, bool asInts)
    {
        PoolArgs.Check("AvgPool2d", kernelSize, stride, padding);
        (KernelSize, Stride, Padding, CountIncludePad, SizesAsInts) = (kernelSize, stride, padding, countIncludePad, asInts);
    }

    /// <summary>Window (height, width).</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>Step between windows (height, width).</summary>
    public (int Height, int Width) Stride { get; }

    /// <summary>Implicit zero padding (height, width) on both sides.</summary>
    public (int Height, int Width) Padding { get; }

    /// <summary>Whether padded zeros count in each window's divisor (PyTorch's default, true).</summary>
    public bool CountIncludePad { get; }

    /// <summary>Whether the sizes were given as single ints (printed as <c>3</c> rather than <c>(3, 3)</c>, as PyTorch does).</summary>
    internal bool SizesAsInts { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CountIncludePad);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PyRepr.Size(KernelSize, SizesAsInts)}, stride={PyRepr.Size(Stride, SizesAsInts)}, padding={PyRepr.Size(Padding, SizesAsInts || Padding == (0, 0))}";
}
