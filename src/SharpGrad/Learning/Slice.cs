namespace SharpGrad.Learning;

/// <summary>
/// fastai's <c>slice(start, stop)</c> for learning rates: discriminative rates across parameter groups. With a start,
/// the groups get rates spaced geometrically from <see cref="Start"/> to <see cref="Stop"/> (fastai's <c>even_mults</c>);
/// without one, the last group gets <see cref="Stop"/> and the others a tenth of it.
/// </summary>
/// <param name="Start">The first group's rate, or null.</param>
/// <param name="Stop">The last group's rate.</param>
public readonly record struct Slice(double? Start, double Stop)
{
    /// <summary>fastai's <c>slice(stop)</c>.</summary>
    public Slice(double stop) : this(null, stop) { }

    /// <summary>The rate of each of <paramref name="groups"/> groups, first to last.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate that is not positive, or a start above the stop.</exception>
    public double[] ForGroups(int groups)
    {
        if (!(Stop > 0) || double.IsInfinity(Stop)) throw new ArgumentOutOfRangeException(nameof(Stop), Stop, "Slice: the learning rate must be a positive number.");
        if (Start is { } s && !(s > 0 && s <= Stop))
            throw new ArgumentOutOfRangeException(nameof(Start), s, $"Slice: the start must be positive and at most the stop ({Stop}).");
        var rates = new double[groups];
        if (groups == 1) { rates[0] = Stop; return rates; }
        if (Start is { } start)
        {
            double step = Math.Pow(Stop / start, 1.0 / (groups - 1));
            for (int i = 0; i < groups; i++) rates[i] = start * Math.Pow(step, i);
            return rates;
        }
        for (int i = 0; i < groups - 1; i++) rates[i] = Stop / 10;
        rates[^1] = Stop;
        return rates;
    }

    /// <inheritdoc/>
    public override string ToString() => Start is { } s ? $"slice({s:G3}, {Stop:G3})" : $"slice({Stop:G3})";
}
