namespace SharpGrad.Learning;

/// <summary>fastai's <c>fine_tune</c> as an extension of <see cref="Learner"/>.</summary>
public static class FineTuning
{
    /// <summary>
    /// Transfer learning as fastai does it: freeze the body and train the head for <paramref name="freezeEpochs"/> with
    /// 1cycle (<c>slice(baseLr)</c>, pctStart 0.99), then halve <paramref name="baseLr"/>, unfreeze, and train everything for
    /// <paramref name="epochs"/> with 1cycle on <c>slice(baseLr / lrMult, baseLr)</c>, <paramref name="pctStart"/> and <paramref name="div"/>.
    /// </summary>
    public static void FineTune(this Learner learn, int epochs, double baseLr = 2e-3, int freezeEpochs = 1, double lrMult = 100,
                                double pctStart = 0.3, double div = 5.0, double? wd = null, IEnumerable<Callback>? cbs = null, CancellationToken cancellation = default)
    {
        if (epochs < 0 || freezeEpochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), "FineTune: epochs must be non-negative.");
        if (!(baseLr > 0)) throw new ArgumentOutOfRangeException(nameof(baseLr), baseLr, "FineTune: baseLr must be positive.");
        if (!(lrMult >= 1)) throw new ArgumentOutOfRangeException(nameof(lrMult), lrMult, "FineTune: lrMult must be at least 1.");
        List<Callback> extra = cbs?.ToList() ?? [];
        learn.Freeze();
        learn.FitOneCycle(freezeEpochs, new Slice(baseLr), pctStart: 0.99, wd: wd, cbs: extra, cancellation: cancellation);
        baseLr /= 2;
        learn.Unfreeze();
        learn.FitOneCycle(epochs, new Slice(baseLr / lrMult, baseLr), pctStart: pctStart, div: div, wd: wd, cbs: extra, cancellation: cancellation);
    }
}
