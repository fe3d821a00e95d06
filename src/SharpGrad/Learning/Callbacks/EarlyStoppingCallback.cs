namespace SharpGrad.Learning;

/// <summary>fastai's <c>EarlyStoppingCallback</c>: stops the fit when <see cref="TrackerCallback.Monitor"/> has not improved for <paramref name="patience"/> epochs.</summary>
public sealed class EarlyStoppingCallback(string monitor = "valid_loss", bool? comparison = null, double minDelta = 0, int patience = 1)
    : TrackerCallback(monitor, comparison, minDelta)
{
    private int _wait;

    /// <summary>Epochs without improvement allowed.</summary>
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be non-negative.");

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        base.BeforeFit();
        _wait = 0;
    }

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        base.AfterEpoch();
        if (NewBest) { _wait = 0; return; }
        if (++_wait < Patience) return;
        Learn.Output?.WriteLine($"No improvement since epoch {Learn.Epoch - _wait}: early stopping");
        throw new CancelFitException("early stopping");
    }
}
