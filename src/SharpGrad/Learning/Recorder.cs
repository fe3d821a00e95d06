namespace SharpGrad.Learning;

/// <summary>
/// Records a fit (fastai's <c>Recorder</c>, always present): the smoothed training loss and learning rate of every
/// batch, and per epoch the train_loss, valid_loss and metric values shown in the table.
/// </summary>
public sealed class Recorder : Callback
{
    private readonly AvgSmoothLoss _smooth = new();
    private readonly AvgLoss _validLoss = new();

    /// <inheritdoc/>
    public override int Order => 50;

    /// <summary>The smoothed training loss after each training batch of the last fit.</summary>
    public List<double> Losses { get; } = [];

    /// <summary>The learning rate used for each training batch of the last fit.</summary>
    public List<double> Lrs { get; } = [];

    /// <summary>The training iteration at which each epoch's validation ran.</summary>
    public List<int> EpochIters { get; } = [];

    /// <summary>One row per epoch: train_loss, valid_loss, then each metric.</summary>
    public List<double[]> Values { get; } = [];

    /// <summary>The column names of <see cref="Values"/>.</summary>
    public IReadOnlyList<string> MetricNames => ["train_loss", "valid_loss", .. Learn.Metrics.Select(m => m.Name)];

    /// <summary>The smoothed loss's running state, for checkpoints.</summary>
    internal (double Value, int Count) SmoothState
    {
        get => _smooth.State;
        set => _smooth.State = value;
    }

    /// <summary>The smoothed training loss now.</summary>
    public double SmoothLoss => _smooth.Value;

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        Losses.Clear();
        Lrs.Clear();
        EpochIters.Clear();
        Values.Clear();
        _smooth.Reset();
    }

    /// <inheritdoc/>
    public override void BeforeValidate()
    {
        _validLoss.Reset();
        foreach (Metric m in Learn.Metrics) m.Reset();
    }

    /// <inheritdoc/>
    public override void AfterBatch()
    {
        if (Learn.Yb is null) return;
        if (Learn.Training)
        {
            _smooth.Accumulate(Learn);
            Losses.Add(_smooth.Value);
            Lrs.Add(Learn.Opt!.Lr);
        }
        else
        {
            _validLoss.Accumulate(Learn);
            foreach (Metric m in Learn.Metrics) m.Accumulate(Learn);
        }
    }

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        EpochIters.Add(Losses.Count);
        Values.Add([_smooth.Value, _validLoss.Value, .. Learn.Metrics.Select(m => m.Value)]);
    }

    /// <summary>The valid loss and metric values of the last validation pass.</summary>
    internal double[] LastValidation => [_validLoss.Value, .. Learn.Metrics.Select(m => m.Value)];
}
