namespace SharpGrad.Learning;

/// <summary>A value accumulated over the validation batches of an epoch and shown as a column (fastai's <c>Metric</c>).</summary>
public abstract class Metric
{
    /// <summary>The column name, e.g. <c>accuracy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Starts a new pass.</summary>
    public abstract void Reset();

    /// <summary>Adds one batch: the learner's current predictions, targets and loss.</summary>
    public abstract void Accumulate(Learner learn);

    /// <summary>The value over the batches accumulated since <see cref="Reset"/>; NaN when there were none.</summary>
    public abstract double Value { get; }
}

/// <summary>The mean of <c>func(pred, target)</c> over all items, each batch weighted by its size (fastai's <c>AvgMetric</c>).</summary>
public sealed class AvgMetric(string name, Func<Tensor, Tensor, Tensor> func) : Metric
{
    private double _total;
    private int _count;

    /// <inheritdoc/>
    public override string Name => name;

    /// <inheritdoc/>
    public override void Reset() => (_total, _count) = (0, 0);

    /// <inheritdoc/>
    public override void Accumulate(Learner learn)
    {
        int bs = learn.Xb.Size(0);
        // Metrics run on the CPU (argmax and comparisons have no device kernels yet): a batch's outputs are small.
        using (Tensor.NoGrad()) _total += func(learn.Pred.To(Device.Cpu), learn.Yb!.To(Device.Cpu)).Item() * bs;
        _count += bs;
    }

    /// <inheritdoc/>
    public override double Value => _count == 0 ? double.NaN : _total / _count;
}

/// <summary>The mean loss over all items, each batch weighted by its size (fastai's <c>AvgLoss</c>: the valid_loss column).</summary>
internal sealed class AvgLoss : Metric
{
    private double _total;
    private int _count;

    public override string Name => "loss";
    public override void Reset() => (_total, _count) = (0, 0);

    public override void Accumulate(Learner learn)
    {
        int bs = learn.Xb.Size(0);
        _total += learn.Loss.Item() * bs;
        _count += bs;
    }

    public override double Value => _count == 0 ? double.NaN : _total / _count;
}

/// <summary>An exponentially smoothed, debiased training loss (fastai's <c>AvgSmoothLoss</c>, beta 0.98: the train_loss column).</summary>
internal sealed class AvgSmoothLoss(double beta = 0.98) : Metric
{
    private double _value;
    private int _count;

    /// <summary>The running average and the count of batches behind it, for checkpoints.</summary>
    internal (double Value, int Count) State
    {
        get => (_value, _count);
        set => (_value, _count) = value;
    }

    public override string Name => "train_loss";
    public override void Reset() => (_value, _count) = (0, 0);

    public override void Accumulate(Learner learn)
    {
        _count++;
        _value = beta * _value + (1 - beta) * learn.Loss.Item();
    }

    public override double Value => _count == 0 ? double.NaN : _value / (1 - Math.Pow(beta, _count));
}
