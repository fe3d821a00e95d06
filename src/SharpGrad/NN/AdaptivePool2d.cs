namespace SharpGrad.NN;

/// <summary>
/// Adaptive average pooling to a fixed output size (PyTorch's <c>nn.AdaptiveAvgPool2d</c>): output cell i averages input rows
/// [floor(i·H/OH), ceil((i+1)·H/OH)), and likewise for columns, whatever the input size.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Pools to <paramref name="outputSize"/>×<paramref name="outputSize"/>.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize), true) { }

    /// <summary>Pools to (height, width) <paramref name="outputSize"/>.</summary>
    public AdaptiveAvgPool2d((int Height, int Width) outputSize) : this(outputSize, false) { }

    private AdaptiveAvgPool2d((int, int) outputSize, bool asInt)
    {
        PoolArgs.CheckOutput("AdaptiveAvgPool2d", outputSize);
        (OutputSize, SizeAsInt) = (outputSize, asInt);
    }

    /// <summary>Output (height, width).</summary>
    public (int Height, int Width) OutputSize { get; }

    /// <summary>Whether the size was given as a single int (printed as <c>1</c> rather than <c>(1, 1)</c>, as PyTorch does).</summary>
    internal bool SizeAsInt { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize.Height, OutputSize.Width);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={PyRepr.Size(OutputSize, SizeAsInt)}";
}

/// <summary>Adaptive max pooling to a fixed output size (PyTorch's <c>nn.AdaptiveMaxPool2d</c>), over the windows of <see cref="AdaptiveAvgPool2d"/>.</summary>
public sealed class AdaptiveMaxPool2d : Module
{
    /// <summary>Pools to <paramref name="outputSize"/>×<paramref name="outputSize"/>.</summary>
    public AdaptiveMaxPool2d(int outputSize) : this((outputSize, outputSize), true) { }

    /// <summary>Pools to (height, width) <paramref name="outputSize"/>.</summary>
    public AdaptiveMaxPool2d((int Height, int Width) outputSize) : this(outputSize, false) { }

    private AdaptiveMaxPool2d((int, int) outputSize, bool asInt)
    {
        PoolArgs.CheckOutput("AdaptiveMaxPool2d", outputSize);
        (OutputSize, SizeAsInt) = (outputSize, asInt);
    }

    /// <summary>Output (height, width).</summary>
    public (int Height, int Width) OutputSize { get; }

    /// <summary>Whether the size was given as a single int (printed as <c>1</c> rather than <c>(1, 1)</c>, as PyTorch does).</summary>
    internal bool SizeAsInt { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputSize.Height, OutputSize.Width);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={PyRepr.Size(OutputSize, SizeAsInt)}";
}
