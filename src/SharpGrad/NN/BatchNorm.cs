namespace SharpGrad.NN;

/// <summary>
/// Batch normalisation over the channel dim 1 (PyTorch's <c>_BatchNorm</c>): weight 1 and bias 0 (when affine), buffers
/// <c>running_mean</c> (0), <c>running_var</c> (1) and <c>num_batches_tracked</c> (int64) when tracking running statistics.
/// In training, each forward normalises with the batch statistics, moves the running ones by <see cref="Momentum"/> and counts
/// the batch; in evaluation it normalises with the running statistics (or the batch's, when they are not tracked).
/// </summary>
public abstract class BatchNorm : Module
{
    /// <summary>Batch norm over <paramref name="numFeatures"/> channels.</summary>
    protected BatchNorm(int numFeatures, float eps, float momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, $"{GetType().Name}: num_features must be at least 1.");
        if (eps < 0 || float.IsNaN(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{GetType().Name}: eps must be non-negative.");
        if (momentum is < 0 or > 1 || float.IsNaN(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{GetType().Name}: momentum must be between 0 and 1.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0L));
        }
    }

    /// <summary>Channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>Weight of the batch statistics in each running-statistics update.</summary>
    public float Momentum { get; }

    /// <summary>Whether there is a learnable <see cref="Weight"/> and <see cref="Bias"/>.</summary>
    public bool Affine => Weight is not null;

    /// <summary>Whether running statistics are kept.</summary>
    public bool TrackRunningStats => RunningMean is not null;

    /// <summary>Per-channel scale (gamma), <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>Per-channel shift (beta), <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean, <c>[C]</c>, or null when running statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running (unbiased) variance, <c>[C]</c>, or null when running statistics are not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>Training batches seen, an int64 scalar, or null when running statistics are not tracked.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Throws unless <paramref name="input"/> has a shape this layer accepts.</summary>
    protected abstract void CheckInput(Tensor input);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    /// <summary>This layer followed by ReLU, in one pass over the data (same values and gradients as <c>Forward(input).Relu()</c>).</summary>
    public Tensor ForwardRelu(Tensor input) => Forward(input, relu: true);

    /// <summary><c>(Forward(input) + residual).Relu()</c> in one pass and one buffer (a resnet block's tail): the same values and gradients.</summary>
    public Tensor ForwardAddRelu(Tensor input, Tensor residual) => Forward(input, relu: true, residual);

    /// <summary>
    /// <c>conv</c> on <paramref name="input"/>, then this layer (then ReLU when <paramref name="relu"/>, or the
    /// <paramref name="residual"/> sum and ReLU): in evaluation with running statistics and no graph to record, as one
    /// op that normalises the conv's tiles as it writes them (the same floats as the ops one by one); otherwise the ops
    /// one by one. What <see cref="Sequential"/> and resnet blocks run for conv → batch norm pairs.
    /// </summary>
    internal Tensor ForwardAfter(Conv2d conv, Tensor input, bool relu, Tensor? residual = null)
    {
        if (!IsTraining && RunningMean is not null && this is BatchNorm2d && conv.Groups == 1 && conv.OutChannels == NumFeatures
            && Tensor.TryConvBatchNormInference(input, conv.Weight, conv.Bias, conv.Stride, conv.Padding, conv.Dilation, RunningMean, RunningVar!,
                Weight, Bias, Eps, relu || residual is not null, residual, out Tensor? fused))
            return fused;
        Tensor y = conv.Forward(input);
        return residual is not null ? ForwardAddRelu(y, residual) : Forward(y, relu);
    }

    private Tensor Forward(Tensor input, bool relu, Tensor? residual = null)
    {
        CheckInput(input);
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): expected {NumFeatures} channels in dim 1, got input of shape {input.Shape}.");
        // Without running statistics the batch's are used in evaluation too; with them, training updates them in place.
        bool useBatch = IsTraining || RunningMean is null;
        Tensor y = Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatch, Momentum, Eps, relu, residual);
        if (IsTraining && NumBatchesTracked is not null) NumBatchesTracked.StorageSpan<long>()[NumBatchesTracked.Offset]++;
        return y;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={PyRepr.Float(Eps)}, momentum={PyRepr.Float(Momentum)}, affine={PyRepr.Bool(Affine)}, track_running_stats={PyRepr.Bool(TrackRunningStats)}";
}
