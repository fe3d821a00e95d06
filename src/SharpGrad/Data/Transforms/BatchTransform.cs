namespace SharpGrad.Data;

/// <summary>
/// A transform of a whole batch of images <c>[N, C, H, W]</c> after collation (fastai's <c>batch_tfms</c>): one pass
/// over the batch tensor. Random transforms act only on training batches; validation batches get the deterministic
/// part (for <see cref="Normalize"/>, all of it; for <see cref="AugTransforms"/>, nothing).
/// </summary>
public abstract class BatchTransform
{
    /// <summary>The transformed batch (a new tensor; <paramref name="batch"/> is not changed).</summary>
    public abstract Tensor Apply(Tensor batch, bool training, Generator random);

    /// <summary>
    /// The same, allowed to overwrite <paramref name="batch"/> when <paramref name="inPlace"/>: the data loader passes
    /// true for a batch it has just collated (or a built-in transform has just made) that nothing else holds.
    /// </summary>
    internal virtual Tensor Apply(Tensor batch, bool training, Generator random, bool inPlace) => Apply(batch, training, random);
}
