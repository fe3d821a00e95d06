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

    /// <summary>
    /// Every epoch of every fit this learner ran, in order (<see cref="Values"/> holds the last fit's only; fine_tune is
    /// two fits): what a report of the whole run shows. Not kept in checkpoints: a resumed run's history starts at the resume.
    /// </summary>
    public List<EpochRecord> History { get; } = [];

    /// <summary>The smoothed training loss after each training batch of every fit (see <see cref="History"/>).</summary>
    public List<double> LossHistory { get; } = [];

    /// <summary>The learning rate of each training batch of every fit.</summary>
    public List<double> LrHistory { get; } = [];

    private int _fits;
    private long _epochStart;

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
        _fits++;
    }

    /// <inheritdoc/>
    public override void BeforeEpoch() => _epochStart = System.Diagnostics.Stopwatch.GetTimestamp();

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
            LossHistory.Add(_smooth.Value);
            LrHistory.Add(Learn.Opt.Lr);
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
        History.Add(new EpochRecord(_fits, Learn.Epoch, [.. MetricNames], Values[^1], System.Diagnostics.Stopwatch.GetElapsedTime(_epochStart), LossHistory.Count));
    }

    /// <summary>The valid loss and metric values of the last validation pass.</summary>
    internal double[] LastValidation => [_validLoss.Value, .. Learn.Metrics.Select(m => m.Value)];
}

/// <summary>One epoch of a run, as the epoch table shows it.</summary>
/// <param name="Fit">Which fit of the learner (1 for the first; fine_tune's unfrozen fit is 2).</param>
/// <param name="Epoch">The epoch within its fit, from 0.</param>
/// <param name="Names">The column names of <paramref name="Values"/>: train_loss, valid_loss, then the metrics.</param>
/// <param name="Values">The values.</param>
/// <param name="Time">How long the epoch took (training and validation).</param>
/// <param name="Iteration">The training iteration (over every fit) at which it ended, for plots against <see cref="Recorder.LossHistory"/>.</param>
public sealed record EpochRecord(int Fit, int Epoch, IReadOnlyList<string> Names, double[] Values, TimeSpan Time, int Iteration);
