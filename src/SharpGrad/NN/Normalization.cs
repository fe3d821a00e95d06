namespace SharpGrad.NN;

/// <summary>
/// Per-channel input normalisation as a layer: <c>(x - mean) / std</c> on <c>[N, C, H, W]</c> (or <c>[N, C]</c>)
/// inputs, with <c>mean</c> and <c>std</c> as buffers. A pretrained network starts with one, so the normalisation its
/// weights expect travels with the model (and its export) and users feed 0..1 images as everywhere else.
/// </summary>
public sealed class Normalization : Module
{
    /// <summary>Normalises channel c with <paramref name="mean"/>[c] and <paramref name="std"/>[c].</summary>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or a std is not positive.</exception>
    public Normalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"Normalization: need one mean and one std per channel, got {mean.Count} and {std.Count}.");
        if (std.Any(s => !(s > 0) || float.IsInfinity(s)))
            throw new ArgumentException($"Normalization: every std must be a positive number, got [{string.Join(", ", std)}].");
        Mean = RegisterBuffer("mean", Tensor.From(mean.ToArray(), [1, mean.Count, 1, 1]));
        Std = RegisterBuffer("std", Tensor.From(std.ToArray(), [1, std.Count, 1, 1]));
    }

    /// <summary>Channels.</summary>
    public int Channels => Mean.Size(1);

    /// <summary>The means, shape <c>[1, C, 1, 1]</c>.</summary>
    public Tensor Mean { get; }

    /// <summary>The standard deviations, shape <c>[1, C, 1, 1]</c>.</summary>
    public Tensor Std { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.NDim < 2 || input.Size(1) != Channels)
            throw new ArgumentException($"Normalization: expected an input [N, {Channels}, ...], got shape {input.Shape}.");
        Tensor mean = input.NDim == 4 ? Mean : Mean.Reshape(1, Channels), std = input.NDim == 4 ? Std : Std.Reshape(1, Channels);
        return (input - mean) / std;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"mean=[{string.Join(", ", Mean.ToArray<float>().Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}], " +
        $"std=[{string.Join(", ", Std.ToArray<float>().Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
