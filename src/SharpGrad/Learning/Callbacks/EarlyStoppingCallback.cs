namespace SharpGrad.Learning;

/// <summary>fastai's <c>EarlyStoppingCallback</c>: stops the fit when <see cref="TrackerCallback.Monitor"/> has not improved for <paramref name="patience"/> epochs.</summary>
public sealed class EarlyStoppingCallback(string monitor = "valid_loss", bool? comparison = null, double minDelta = 0, int patience = 1)
    : TrackerCallback(monitor, comparison, minDelta)
{
    /// <summary>Epochs without improvement allowed.</summary>
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be non-negative.");

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        base.AfterEpoch();
        if (NewBest || Wait < Patience) return;
        Learn.Output?.WriteLine($"No improvement since epoch {Learn.Epoch - Wait}: early stopping");
        throw new CancelFitException("early stopping");
    }
}
