namespace SharpGrad.Learning;

/// <summary>fastai's 1cycle policy as an extension of <see cref="Learner"/>.</summary>
public static class OneCycle
{
    /// <summary>
    /// Trains with the 1cycle policy (fastai's <c>fit_one_cycle</c>): the learning rate follows a cosine from
    /// <c>lrMax/div</c> up to <paramref name="lrMax"/> over the first <paramref name="pctStart"/> of the batches, then
    /// down to <c>lrMax/divFinal</c>; momentum goes 0.95 → 0.85 → 0.95 the opposite way. Set before every training batch.
    /// </summary>
    public static void FitOneCycle(this Learner learn, int epochs, double? lrMax = null, double div = 25, double divFinal = 1e5,
                                   double pctStart = 0.25, double? wd = null, (double Start, double Middle, double End)? moms = null,
                                   IEnumerable<Callback>? cbs = null, bool resetOpt = false, CancellationToken cancellation = default)
    {
        if (pctStart is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "FitOneCycle: pctStart must be in [0, 1].");
        double max = lrMax ?? learn.Lr;
        if (!(max > 0)) throw new ArgumentOutOfRangeException(nameof(lrMax), lrMax, "FitOneCycle: lrMax must be positive.");
        var (m0, m1, m2) = moms ?? (0.95, 0.85, 0.95);
        var scheduler = new ParamScheduler(new Dictionary<string, Func<double, double>>
        {
            ["lr"] = Schedules.CombinedCos(pctStart, max / div, max, max / divFinal),
            ["mom"] = Schedules.CombinedCos(pctStart, m0, m1, m2),
        });
        learn.Fit(epochs, max, wd, [scheduler, .. cbs ?? []], resetOpt, cancellation);
    }

    /// <summary>
    /// 1cycle with discriminative learning rates (fastai's <c>fit_one_cycle(n, slice(lo, hi))</c>): each parameter group
    /// follows the same cosine shape from its own maximum rate, so the ratios between groups hold throughout.
    /// </summary>
    public static void FitOneCycle(this Learner learn, int epochs, Slice lrMax, double div = 25, double divFinal = 1e5,
                                   double pctStart = 0.25, double? wd = null, (double Start, double Middle, double End)? moms = null,
                                   IEnumerable<Callback>? cbs = null, bool resetOpt = false, CancellationToken cancellation = default)
    {
        if (pctStart is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "FitOneCycle: pctStart must be in [0, 1].");
        if (resetOpt || learn.Opt is null) learn.CreateOpt();
        double[] max = lrMax.ForGroups(learn.Opt!.ParamGroups.Count);
        var (m0, m1, m2) = moms ?? (0.95, 0.85, 0.95);
        var scheduler = new ParamScheduler(new Dictionary<string, IReadOnlyList<Func<double, double>>>
        {
            ["lr"] = max.Select(m => Schedules.CombinedCos(pctStart, m / div, m, m / divFinal)).ToArray(),
            ["mom"] = [Schedules.CombinedCos(pctStart, m0, m1, m2)],
        });
        learn.Fit(epochs, lrMax, wd, [scheduler, .. cbs ?? []], resetOpt: false, cancellation);
    }
}
