namespace SharpGrad.NN;

/// <summary>Batch normalisation of features <c>[N, C]</c> or sequences <c>[N, C, L]</c> (PyTorch's <c>nn.BatchNorm1d</c>).</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.NDim is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d({NumFeatures}): expected a 2-D [N, C] or 3-D [N, C, L] input, got shape {input.Shape}.");
    }
}
