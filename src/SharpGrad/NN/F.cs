namespace SharpGrad.NN;

/// <summary>
/// Losses and activations as functions (PyTorch's <c>torch.nn.functional</c>, imported as <c>F</c>). Every loss averages
/// over the batch (PyTorch's <c>reduction='mean'</c>) and is built from primitives whose gradients are checked against PyTorch.
/// </summary>
public static partial class F
{
    /// <summary>mean(|input - target|).</summary>
    public static Tensor L1Loss(Tensor input, Tensor target) => (input - Same(input, target, "L1Loss")).Abs().Mean();

    /// <summary>mean((input - target)²).</summary>
    public static Tensor MseLoss(Tensor input, Tensor target) => (input - Same(input, target, "MseLoss")).Square().Mean();

    /// <summary>
    /// -mean(t·log(p) + (1-t)·log(1-p)) for probabilities <paramref name="input"/> in [0, 1]; each log is clamped at -100
    /// as PyTorch does, so a probability of exactly 0 or 1 gives a large finite loss instead of infinity.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target)
    {
        Tensor t = Same(input, target, "BinaryCrossEntropy");
        Tensor logP = input.Log().Clamp(min: -100f), log1mP = input.RSub(1f).Log().Clamp(min: -100f);
        return -(t * logP + t.RSub(1f) * log1mP).Mean();
    }

    /// <summary>
    /// Binary cross-entropy of sigmoid(<paramref name="input"/>), computed stably from the logits:
    /// mean(max(x, 0) - x·t + log(1 + exp(-|x|))).
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target)
    {
        Tensor x = input, t = Same(input, target, "BinaryCrossEntropyWithLogits");
        Tensor loss;
        using (Tensor.NoGrad()) loss = (x.Relu() - x * t + (-x.Abs()).Exp().Add(1f).Log()).Mean();
        // Its own backward rule, (sigmoid(x) - t) / N: the max/abs form above has kinks at 0 whose subgradients differ from the true derivative.
        float scale = 1f / Math.Max(x.Numel, 1);
        return Tensor.Record(loss, OpKind.BinaryCrossEntropyWithLogits, [x, t], g =>
        [
            x.RequiresGradient ? (x.Sigmoid() - t) * (g * scale) : null,
            t.RequiresGradient ? -x * (g * scale) : null,
        ]);
    }

    /// <summary>
    /// -mean(input[i, target[i]]) for log-probabilities <paramref name="input"/> <c>[N, C]</c> and class indices
    /// <paramref name="target"/> <c>[N]</c> (int64).
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target)
    {
        CheckClassification(input, target, "NllLoss");
        if (input.IsOnDevice)
        {
            // Labels stay int64 on the CPU: the loss is the sum of the scores times a one-hot of -1/N, made here and sent
            // along (N·C floats), which differentiates on the device like the gather it replaces. A captured step
            // makes the one-hot again from the labels at each replay.
            Tensor labels = target.Contiguous(), weights = Tensor.Uninitialized([input.Size(0), input.Size(1)]);
            OneHot(weights, labels);
            CapturedGraph.Record(weights, (weights, labels), static s => OneHot(s.weights, s.labels));
            return (input * weights.To(input.Device)).Sum();
        }
        return -input.Gather(1, target.Unsqueeze(1)).Mean();
    }

    /// <summary>NllLoss(LogSoftmax(input, 1), target): the usual multi-class loss on logits <c>[N, C]</c> and int64 labels <c>[N]</c>.</summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target)
    {
        CheckClassification(input, target, "CrossEntropy");
        return NllLoss(input.LogSoftmax(1), target);
    }

    /// <summary>x·Wᵀ + b for inputs <c>[..., in]</c>, weight <c>[out, in]</c> and optional bias <c>[out]</c> (PyTorch's <c>F.linear</c>).</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        Tensor y = input.MatMul(weight.T);
        return bias is null ? y : y + bias;
    }

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor input, int dim = -1) => input.Softmax(dim);

    /// <summary>Log-softmax along <paramref name="dim"/>, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim = -1) => input.LogSoftmax(dim);

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input) => input.Relu();

    /// <summary>1 / (1 + exp(-x)).</summary>
    public static Tensor Sigmoid(Tensor input) => input.Sigmoid();

    private static Tensor Same(Tensor input, Tensor target, string op)
    {
        if (!input.Shape.Equals(target.Shape))
            throw new ArgumentException($"{op}: input has shape {input.Shape} but target has shape {target.Shape}; they must match (reshape or unsqueeze the target).");
        return target.DType == DType.Float32 ? target : target.Float();
    }

    /// <summary>weights [N, C] = -1/N at each row's label, 0 elsewhere (labels checked: a replay may bring new ones).</summary>
    private static void OneHot(Tensor weights, Tensor labels)
    {
        int n = weights.Size(0), c = weights.Size(1);
        Span<float> w = weights.Floats;
        w.Clear();
        ReadOnlySpan<long> l = labels.Contents<long>();
        for (int i = 0; i < n; i++)
        {
            if ((ulong)l[i] >= (ulong)c) throw new ArgumentException($"NllLoss: target holds class {l[i]}, outside 0..{c - 1} for {c} classes.");
            w[i * c + (int)l[i]] = -1f / n;
        }
    }

    private static void CheckClassification(Tensor input, Tensor target, string op)
    {
        if (input.NDim != 2)
            throw new ArgumentException($"{op}: input must be [N, C] scores, got shape {input.Shape}.");
        if (target.DType != DType.Int64)
            throw new ArgumentException($"{op}: target must hold int64 class indices, got {target.DType.TorchName()} (use .Long()).");
        if (target.NDim != 1 || target.Size(0) != input.Size(0))
            throw new ArgumentException($"{op}: target must be [N] = [{input.Size(0)}] class indices, got shape {target.Shape}.");
        int classes = input.Size(1);
        foreach (long c in target.Contiguous().Contents<long>())
            if (c < 0 || c >= classes)
                throw new ArgumentException($"{op}: target holds class {c}, outside 0..{classes - 1} for {classes} classes.");
    }
}
