namespace SharpGrad.Learning;

/// <summary>Hyperparameter schedules over training progress <c>pos</c> in [0, 1] (fastai's <c>SchedCos</c>, <c>SchedExp</c>, <c>combined_cos</c>).</summary>
public static class Schedules
{
    /// <summary>Cosine from <paramref name="start"/> to <paramref name="end"/>: <c>start + (1 + cos(π(1 - pos)))(end - start)/2</c>.</summary>
    public static Func<double, double> Cos(double start, double end) =>
        pos => start + (1 + Math.Cos(Math.PI * (1 - pos))) * (end - start) / 2;

    /// <summary>Linear from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static Func<double, double> Linear(double start, double end) => pos => start + pos * (end - start);

    /// <summary>Exponential from <paramref name="start"/> to <paramref name="end"/>: <c>start·(end/start)^pos</c> (the LR finder's).</summary>
    public static Func<double, double> Exp(double start, double end) => pos => start * Math.Pow(end / start, pos);

    /// <summary>
    /// <paramref name="first"/> over the first <paramref name="pct"/> of training, then <paramref name="second"/> (each given its own 0..1 position): fastai's <c>combine_scheds</c>.
    /// </summary>
    public static Func<double, double> Combine(double pct, Func<double, double> first, Func<double, double> second) =>
        pos => pos < pct ? first(pct == 0 ? 1 : pos / pct) : second(pct >= 1 ? 1 : Math.Min(1, (pos - pct) / (1 - pct)));

    /// <summary>fastai's <c>combined_cos(pct, start, middle, end)</c>: cosine start→middle over <paramref name="pct"/>, then middle→end.</summary>
    public static Func<double, double> CombinedCos(double pct, double start, double middle, double end) =>
        Combine(pct, Cos(start, middle), Cos(middle, end));
}
