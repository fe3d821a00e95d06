using SharpGrad.Optim;

namespace SharpGrad.Learning;

/// <summary>
/// The learning-rate range test (fastai's <c>LRFinder</c>): raises the learning rate exponentially each training
/// batch, stops when the smoothed loss exceeds 4× its best or after <c>numIt</c> batches, skips validation, and
/// restores the weights and optimizer state afterwards.
/// </summary>
public sealed class LrFinder : ParamScheduler
{
    private readonly int _numIt;
    private readonly bool _stopDiv;
    private Dictionary<string, Tensor>? _weights;
    private OptimizerSnapshot? _opt;
    private double _best;

    /// <summary>From <paramref name="startLr"/> to <paramref name="endLr"/> over <paramref name="numIt"/> batches.</summary>
    public LrFinder(double startLr = 1e-7, double endLr = 10, int numIt = 100, bool stopDiv = true)
        : base(new Dictionary<string, Func<double, double>> { ["lr"] = Schedules.Exp(startLr, endLr) })
    {
        if (!(startLr > 0) || !(endLr > startLr)) throw new ArgumentOutOfRangeException(nameof(startLr), $"LrFinder: need 0 < startLr < endLr, got {startLr} and {endLr}.");
        if (numIt < 2) throw new ArgumentOutOfRangeException(nameof(numIt), numIt, "LrFinder: numIt must be at least 2.");
        _numIt = numIt;
        _stopDiv = stopDiv;
    }

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        base.BeforeFit();
        _weights = Learn.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        _opt = Learn.Opt!.Snapshot();
        _best = double.PositiveInfinity;
    }

    /// <inheritdoc/>
    public override void BeforeBatch() => Set((double)Learn.TrainIter / _numIt);

    /// <inheritdoc/>
    public override void AfterBatch()
    {
        double loss = Learn.Recorder.SmoothLoss;
        if (loss < _best) _best = loss;
        if ((_stopDiv && (loss > 4 * _best || double.IsNaN(loss))) || Learn.TrainIter + 1 >= _numIt) throw new CancelFitException();
    }

    /// <inheritdoc/>
    public override void BeforeValidate() => throw new CancelValidException();

    /// <inheritdoc/>
    public override void AfterFit()
    {
        Learn.Opt!.ZeroGrad();
        if (_weights is not null) Learn.Model.LoadStateDict(_weights);
        if (_opt is not null) Learn.Opt.Restore(_opt);
    }
}

/// <summary>The LR finder's curve (learning rates and smoothed losses, first tenth and last five points dropped as fastai plots them) and its valley suggestion.</summary>
/// <param name="Lrs">Learning rates.</param>
/// <param name="Losses">Smoothed losses.</param>
/// <param name="Valley">The suggested learning rate.</param>
/// <param name="ValleyIndex">Its index in <paramref name="Lrs"/>.</param>
public sealed record LrFindResult(IReadOnlyList<double> Lrs, IReadOnlyList<double> Losses, double Valley, int ValleyIndex);

/// <summary>The LR finder as an extension of <see cref="Learner"/>.</summary>
public static class LrFindExtensions
{
    /// <summary>
    /// Runs the range test (fastai's <c>lr_find</c>) and returns the curve and the "valley" suggestion: a point about
    /// two thirds of the way down the longest run of decreasing loss. The model and optimizer are left as they were.
    /// </summary>
    public static LrFindResult LrFind(this Learner learn, double startLr = 1e-7, double endLr = 10, int numIt = 100, bool stopDiv = true, CancellationToken cancellation = default)
    {
        if (learn.Opt is null) learn.CreateOpt();
        int epochs = numIt / Math.Max(learn.Dls.Train.Count, 1) + 1;
        TextWriter? output = learn.Output;
        learn.Output = null;
        try
        {
            learn.Fit(epochs, cbs: [new LrFinder(startLr, endLr, numIt, stopDiv)], cancellation: cancellation);
        }
        finally
        {
            learn.Output = output;
        }
        List<double> lrs = learn.Recorder.Lrs, losses = learn.Recorder.Losses;
        int skipStart = numIt / 10, end = Math.Max(skipStart + 1, lrs.Count - 5);
        if (lrs.Count < 2)
            throw new InvalidOperationException($"LrFind: only {lrs.Count} batches ran (training set of {learn.Dls.Train.Dataset.Count} items, batch size " +
                                                $"{learn.Dls.Train.BatchSize}); the loss diverged at once. Lower startLr.");
        end = Math.Min(end, lrs.Count);
        if (end - skipStart < 2) skipStart = 0;
        var x = lrs.GetRange(skipStart, end - skipStart);
        var y = losses.GetRange(skipStart, end - skipStart);
        int idx = Valley(y);
        return new LrFindResult(x, y, x[idx], idx);
    }

    /// <summary>The index about two thirds of the way down the longest strictly decreasing subsequence of <paramref name="losses"/> (fastai's <c>valley</c>).</summary>
    public static int Valley(IReadOnlyList<double> losses)
    {
        int n = losses.Count;
        var run = new int[n];
        Array.Fill(run, 1);
        int maxStart = 0, maxEnd = 0;
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (losses[i] < losses[j] && run[i] < run[j] + 1) run[i] = run[j] + 1;
                if (run[maxEnd] < run[i])
                {
                    maxEnd = i;
                    maxStart = maxEnd - run[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        return Math.Clamp(maxStart + (int)sections + (int)(sections / 2), 0, n - 1);
    }
}
