using System.Numerics.Tensors;

namespace SharpGrad.Data;

/// <summary>fastai's <c>Normalize.from_stats(mean, std)</c>: <c>(x - mean) / std</c> per channel, on training and validation batches alike.</summary>
public sealed class Normalize : BatchTransform
{
    private readonly float[] _mean, _std;

    private Normalize(float[] mean, float[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: need one mean and one std per channel, got {mean.Length} and {std.Length}.");
        if (std.Any(s => !(s > 0))) throw new ArgumentException($"Normalize: every std must be positive, got [{string.Join(", ", std)}].");
        (_mean, _std) = (mean, std);
    }

    /// <summary>Normalisation with these per-channel statistics.</summary>
    public static Normalize FromStats(IReadOnlyList<float> mean, IReadOnlyList<float> std) => new([.. mean], [.. std]);

    /// <summary>ImageNet's RGB statistics as torchvision and fastai use them: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static (float[] Mean, float[] Std) ImagenetStats => ([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>The means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The standard deviations.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <inheritdoc/>
    public override Tensor Apply(Tensor batch, bool training, Generator random) => Apply(batch, training, random, inPlace: false);

    /// <inheritdoc/>
    internal override Tensor Apply(Tensor batch, bool training, Generator random, bool inPlace)
    {
        if (batch.NDim != 4 || batch.Size(1) != _mean.Length)
            throw new ArgumentException($"Normalize: expected a batch [N, {_mean.Length}, H, W], got shape {batch.Shape}.");
        if (!inPlace || !batch.IsContiguous || batch.DType != DType.Float32 || batch.RequiresGradient)
            return (batch - Tensor.From(_mean, [1, _mean.Length, 1, 1])) / Tensor.From(_std, [1, _std.Length, 1, 1]);
        // A batch the loader owns: one pass over it instead of two new batch-sized tensors.
        int n = batch.Size(0), c = batch.Size(1), plane = batch.Size(2) * batch.Size(3);
        Span<float> x = ((float[])batch.Storage).AsSpan(batch.Offset, n * c * plane);
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
            {
                Span<float> p = x.Slice((i * c + ch) * plane, plane);
                TensorPrimitives.Subtract(p, _mean[ch], p);
                TensorPrimitives.Divide(p, _std[ch], p);
            }
        return batch;
    }
}
