namespace SharpGrad.NN;

/// <summary>
/// In training, zeroes each element with probability <see cref="P"/> and scales the rest by 1/(1-p); in evaluation the identity
/// (PyTorch's <c>nn.Dropout</c>).
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? _generator;

    /// <summary>Dropout with probability <paramref name="p"/>.</summary>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        if (p is < 0 or > 1 || float.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be between 0 and 1.");
        P = p;
        _generator = generator;
    }

    /// <summary>The random source of the masks (null: <see cref="Generator.Default"/>).</summary>
    internal Generator? Generator => _generator;

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!IsTraining || P == 0) return input;
        if (P == 1) return input * 0f;
        Tensor keep = Tensor.Rand(input.Sizes, _generator).Ge(P).Float() * (1f / (1f - P));
        return input * keep.To(input.Device); // the mask is drawn on the CPU (the same draws wherever the model runs)
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={P}, inplace=False";
}
