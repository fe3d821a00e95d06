namespace SharpGrad.Learning;

/// <summary>
/// fastai's <c>TrackerCallback</c>: after each epoch, reads a column of the recorder (<see cref="Monitor"/>, e.g.
/// <c>valid_loss</c> or <c>accuracy</c>) and notes whether it improved on the best value so far by more than
/// <see cref="MinDelta"/>. Lower is better for losses and error rates, higher for everything else, unless
/// the <c>comparison</c> argument says otherwise. The base of <see cref="SaveModelCallback"/>, <see cref="EarlyStoppingCallback"/>
/// and <see cref="ReduceLROnPlateau"/>.
/// </summary>
public abstract class TrackerCallback : Callback
{
    /// <summary>Tracks <paramref name="monitor"/>.</summary>
    /// <param name="monitor">A column of the epoch table.</param>
    /// <param name="comparison">Whether lower values are better (fastai's <c>comp</c>); default by the name: lower for losses and error rates.</param>
    /// <param name="minDelta">The least change that counts as an improvement.</param>
    /// <param name="resetOnFit">Forget the best value at the start of each fit.</param>
    protected TrackerCallback(string monitor = "valid_loss", bool? comparison = null, double minDelta = 0, bool resetOnFit = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be non-negative.");
        Monitor = monitor;
        LowerIsBetter = comparison ?? (monitor.Contains("loss", StringComparison.Ordinal) || monitor.Contains("error", StringComparison.Ordinal));
        MinDelta = minDelta;
        ResetOnFit = resetOnFit;
    }

    /// <inheritdoc/>
    public override int Order => 60;

    /// <summary>The tracked column.</summary>
    public string Monitor { get; }

    /// <summary>Whether a lower value is an improvement.</summary>
    public bool LowerIsBetter { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether each fit starts with no best value.</summary>
    public bool ResetOnFit { get; }

    /// <summary>The best value seen (NaN before the first epoch).</summary>
    public double Best { get; protected set; } = double.NaN;

    /// <summary>Whether the last epoch improved on <see cref="Best"/>.</summary>
    public bool NewBest { get; private set; }

    /// <summary>Epochs since the last improvement (0 right after one); subclasses with a patience reset it when they act.</summary>
    protected int Wait { get; set; }

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        Wait = 0;
        if (ResetOnFit || double.IsNaN(Best)) Best = double.NaN;
        int column = IndexOfMonitor();
        if (column < 0)
            throw new InvalidOperationException($"{GetType().Name}: no column '{Monitor}' in the epoch table; it has {string.Join(", ", Learn.Recorder.MetricNames)}.");
    }

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        if (Learn.Recorder.Values.Count == 0) return;
        double value = Learn.Recorder.Values[^1][IndexOfMonitor()];
        NewBest = !double.IsNaN(value) && (double.IsNaN(Best) || (LowerIsBetter ? value < Best - MinDelta : value > Best + MinDelta));
        if (NewBest) Best = value;
        Wait = NewBest ? 0 : Wait + 1;
    }

    private int IndexOfMonitor()
    {
        IReadOnlyList<string> names = Learn.Recorder.MetricNames;
        for (int i = 0; i < names.Count; i++) if (names[i] == Monitor) return i;
        return -1;
    }
}
