namespace SharpGrad;

/// <summary>Told of every op as it runs on this thread while it is <see cref="OpTrace.Current"/>.</summary>
internal interface IOpTracer
{
    /// <summary>
    /// <paramref name="output"/> was computed by <paramref name="op"/> from <paramref name="inputs"/> (the op's tensor
    /// operands, in its order) with <paramref name="attributes"/> (the op's record type from <see cref="OpAttributes"/>, or
    /// null for an op with none). An op built from other ops reports them first and itself last, for the same output.
    /// </summary>
    void OnOp(OpKind op, Tensor output, Tensor[] inputs, object? attributes);
}

/// <summary>
/// Tracing, as <c>torch.jit.trace</c> does it: while a tracer is installed, each op tells it what it computed and from
/// what, whether or not gradients are recorded. Exporters run a model once under a tracer to learn its graph.
/// </summary>
internal static class OpTrace
{
    [ThreadStatic] private static IOpTracer? t_current;

    /// <summary>The tracer of this thread, or null (the usual case: then ops pay one thread-static read).</summary>
    public static IOpTracer? Current => t_current;

    /// <summary>Whether a tracer is installed: ops build their attribute records only then.</summary>
    public static bool IsActive => t_current is not null;

    /// <summary>Installs <paramref name="tracer"/> on this thread until the returned scope is disposed.</summary>
    public static Scope Begin(IOpTracer tracer)
    {
        if (t_current is not null) throw new InvalidOperationException("A trace is already running on this thread; traces do not nest.");
        t_current = tracer;
        return new Scope();
    }

    /// <summary>Tells the tracer, if any, of an op that records nothing for autograd (comparisons, casts).</summary>
    public static void Report(OpKind op, Tensor output, Tensor[] inputs, object? attributes = null) =>
        t_current?.OnOp(op, output, inputs, attributes);

    /// <summary>Ends a trace.</summary>
    public readonly struct Scope : IDisposable
    {
        /// <summary>Uninstalls the tracer.</summary>
        public void Dispose() => t_current = null;
    }
}

/// <summary>The attributes an op reports to a tracer, one record type per family.</summary>
internal static class OpAttributes
{
    /// <summary>Conv2d's geometry (the weight's shape gives the kernel).</summary>
    public sealed record Conv((int H, int W) Stride, (int H, int W) Padding, (int H, int W) Dilation, int Groups);

    /// <summary>MaxPool2d and AvgPool2d.</summary>
    public sealed record Pool((int H, int W) Kernel, (int H, int W) Stride, (int H, int W) Padding, bool CountIncludePad);

    /// <summary>The two adaptive pools' output size.</summary>
    public sealed record AdaptivePool(int OutH, int OutW);

    /// <summary>Batch norm: which optional operands are among the inputs (input, [weight], [bias], [residual]), and the statistics.</summary>
    public sealed record BatchNorm(Tensor? RunningMean, Tensor? RunningVar, bool HasWeight, bool HasBias, bool Training, float Eps);

    /// <summary>Reductions and ops along dims (Sum, Max/Min along a dim, Softmax, Cat, Gather, IndexSelect): the normalised dims.</summary>
    public sealed record Dims(int[] Value, bool KeepDim);

    /// <summary>IndexSelect and Gather: the dim and the int64 index tensor (not an autograd input).</summary>
    public sealed record Indexed(int Dim, Tensor Index);

    /// <summary>
    /// Basic indexing (<c>t[1, 2..5, ..]</c>): the input dims sliced (start, end, step), the input dims a single index
    /// removes, and the output positions of new axes.
    /// </summary>
    public sealed record Slices(int[] Axes, int[] Starts, int[] Ends, int[] Steps, int[] Squeezed, int[] NewAxes);

    /// <summary>Narrow: <c>length</c> elements from <c>start</c> along <c>dim</c>.</summary>
    public sealed record Narrow(int Dim, int Start, int Length);

    /// <summary>Clamp's bounds.</summary>
    public sealed record Clamp(float? Min, float? Max);

    /// <summary>Pow with a scalar exponent.</summary>
    public sealed record Scalar(float Value);

    /// <summary>Where's condition (not an autograd input, so not among the inputs).</summary>
    public sealed record Where(Tensor Condition);

    /// <summary>A comparison (its inputs are the two operands).</summary>
    public sealed record Compare(Kernels.CompareOp Op);

    /// <summary>A conversion to <c>To</c>.</summary>
    public sealed record Cast(DType To);

    /// <summary>Permute (and Transpose): result dim i is input dim <c>Perm[i]</c>.</summary>
    public sealed record Permute(int[] Perm);

    /// <summary>Unsqueeze and Squeeze: the dims inserted or removed.</summary>
    public sealed record Axes(int[] Value);
}
