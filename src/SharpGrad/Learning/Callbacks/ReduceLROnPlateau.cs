namespace SharpGrad.Learning;

/// <summary>fastai's <c>ReduceLROnPlateau</c>: divides every group's learning rate by <paramref name="factor"/> (not below <paramref name="minLr"/>) when <see cref="TrackerCallback.Monitor"/> has not improved for <paramref name="patience"/> epochs.</summary>
public sealed class ReduceLROnPlateau(string monitor = "valid_loss", bool? comparison = null, double minDelta = 0, int patience = 1, double factor = 10, double minLr = 0)
    : TrackerCallback(monitor, comparison, minDelta)
{
    /// <summary>Epochs without improvement before the rate is divided.</summary>
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be non-negative.");

    /// <summary>What the rate is divided by.</summary>
    public double Factor { get; } = factor > 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be above 1.");

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        base.AfterEpoch();
        if (NewBest || Wait < Patience) return;
        Wait = 0;
        double old = Learn.Opt!.Lr;
        Learn.Opt.SetHyper("lr", Learn.Opt.ParamGroups.Select(g => Math.Max(g["lr"] / Factor, minLr)).ToArray());
        if (Learn.Opt.Lr < old) Learn.Output?.WriteLine($"Epoch {Learn.Epoch}: reducing lr to {Learn.Opt.Lr:G3}");
    }
}
