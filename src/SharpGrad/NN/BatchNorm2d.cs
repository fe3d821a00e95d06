namespace SharpGrad.NN;

/// <summary>Batch normalisation of images <c>[N, C, H, W]</c> per channel (PyTorch's <c>nn.BatchNorm2d</c>).</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.NDim != 4)
            throw new ArgumentException($"BatchNorm2d({NumFeatures}): expected a 4-D [N, C, H, W] input, got shape {input.Shape}.");
    }
}
