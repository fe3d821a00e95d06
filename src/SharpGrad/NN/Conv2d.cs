namespace SharpGrad.NN;

/// <summary>
/// 2-D convolution layer (PyTorch's <c>nn.Conv2d</c>): weight <c>[out, in/groups, kH, kW]</c> and bias <c>[out]</c>, both
/// initialised as PyTorch does (weight <c>kaiming_uniform_(a=sqrt(5))</c> = U(±1/sqrt(fan_in)), bias U(±1/sqrt(fan_in)),
/// fan_in = in/groups·kH·kW); state-dict names <c>weight</c> and <c>bias</c>.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>A square-kernel convolution with the same stride, padding and dilation in both directions.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, generator)
    {
    }

    /// <summary>A convolution with separate (height, width) kernel size, stride (default 1), padding (default 0) and dilation (default 1).</summary>
    public Conv2d(int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        (int Height, int Width) padding = default, (int Height, int Width)? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, kernelSize, stride ?? (1, 1), padding, dilation ?? (1, 1), groups, bias, generator)
    {
    }

    private Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups, bool bias, Generator? generator)
    {
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "Conv2d: groups must be at least 1.");
        if (inChannels < 1 || inChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"Conv2d: in_channels must be a positive multiple of groups ({groups}).");
        if (outChannels < 1 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"Conv2d: out_channels must be a positive multiple of groups ({groups}).");
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "Conv2d: kernel size must be positive.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Conv2d: stride must be positive.");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Conv2d: padding must be non-negative.");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "Conv2d: dilation must be positive.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Tensor w = Init.KaimingUniformDefault(Tensor.Zeros(outChannels, inChannels / groups, kernelSize.H, kernelSize.W), generator);
        Weight = RegisterParameter("weight", w);
        if (bias)
        {
            float bound = 1f / MathF.Sqrt(Init.FanIn(w));
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.Zeros(outChannels), -bound, bound, generator));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int Height, int Width) Stride { get; }

    /// <summary>Zero padding (height, width) added on both sides.</summary>
    public (int Height, int Width) Padding { get; }

    /// <summary>Dilation (height, width) of the kernel taps.</summary>
    public (int Height, int Width) Dilation { get; }

    /// <summary>Groups: input and output channels are split into this many independent convolutions.</summary>
    public int Groups { get; }

    /// <summary>The weight, <c>[out, in/groups, kH, kW]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, <c>[out]</c>, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.NDim is not (3 or 4) || input.Size(-3) != InChannels)
            throw new ArgumentException($"{this}: expected an input [N, {InChannels}, H, W] (or [{InChannels}, H, W]), got shape {input.Shape}.");
        return F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={PyRepr.Size(KernelSize, false)}, stride={PyRepr.Size(Stride, false)}";
        if (Padding != (0, 0)) s += $", padding={PyRepr.Size(Padding, false)}";
        if (Dilation != (1, 1)) s += $", dilation={PyRepr.Size(Dilation, false)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s;
    }
}
