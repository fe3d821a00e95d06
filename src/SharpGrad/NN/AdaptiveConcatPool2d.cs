namespace SharpGrad.NN;

/// <summary>
/// fastai's <c>AdaptiveConcatPool2d</c>: adaptive max and average pooling to the same size, concatenated along the channels
/// (max first), so a <c>[N, C, H, W]</c> input gives <c>[N, 2C, size, size]</c>. Children <c>ap</c> and <c>mp</c>, as in fastai.
/// </summary>
public sealed class AdaptiveConcatPool2d : Module
{
    /// <summary>Pools to <paramref name="size"/>×<paramref name="size"/> (fastai's default 1).</summary>
    public AdaptiveConcatPool2d(int size = 1)
    {
        Size = size;
        Avg = RegisterModule("ap", new AdaptiveAvgPool2d(size));
        Max = RegisterModule("mp", new AdaptiveMaxPool2d(size));
    }

    /// <summary>Output height and width.</summary>
    public int Size { get; }

    /// <summary>The average pool (<c>ap</c>).</summary>
    public AdaptiveAvgPool2d Avg { get; }

    /// <summary>The max pool (<c>mp</c>).</summary>
    public AdaptiveMaxPool2d Max { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.NDim != 4) throw new ArgumentException($"AdaptiveConcatPool2d: expected a 4-D input [N, C, H, W], got shape {input.Shape}.");
        return Tensor.Cat([Max.Forward(input), Avg.Forward(input)], 1);
    }
}
