namespace SharpGrad.Learning;

/// <summary>The built-in metrics.</summary>
public static class Metrics
{
    /// <summary>Fraction of items whose argmax over the last dim equals the target class (fastai's <c>accuracy</c>).</summary>
    public static Metric Accuracy => new AvgMetric("accuracy", AccuracyOf);

    /// <summary>1 - accuracy (fastai's <c>error_rate</c>).</summary>
    public static Metric ErrorRate => new AvgMetric("error_rate", (p, t) => AccuracyOf(p, t).RSub(1f));

    /// <summary>The seed's <c>batch_accuracy</c> for one-output binary models: <c>(sigmoid(pred) &gt; 0.5) == target</c>, averaged.</summary>
    public static Metric BatchAccuracy => new AvgMetric("batch_accuracy", BatchAccuracyOf);

    /// <summary>A metric from a plain function of (predictions, targets), averaged over items (fastai accepts functions as metrics).</summary>
    public static Metric From(string name, Func<Tensor, Tensor, Tensor> func) => new AvgMetric(name, func);

    /// <summary>Accuracy of one batch.</summary>
    public static Tensor AccuracyOf(Tensor pred, Tensor target) =>
        pred.Argmax(-1).Eq(target.NDim == pred.NDim ? target.Squeeze(-1) : target).Float().Mean();

    /// <summary>The seed's batch accuracy of one batch; a target of shape [N] is matched to predictions of shape [N, 1].</summary>
    public static Tensor BatchAccuracyOf(Tensor pred, Tensor target)
    {
        Tensor t = target.Numel == pred.Numel && !target.Shape.Equals(pred.Shape) ? target.Reshape(pred.Sizes) : target;
        return pred.Sigmoid().Gt(0.5f).Eq(t).Float().Mean();
    }
}
