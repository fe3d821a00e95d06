using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Batch normalisation of an (N, C, ...) input per channel (PyTorch's <c>batch_norm</c>). In training the batch mean and
    /// biased variance normalise, and the running statistics (when given) are updated in place with the unbiased variance;
    /// otherwise the running statistics normalise. The backward rule gives the input, weight and bias gradients. With
    /// <c>relu</c>, ReLU is applied to the result in the same pass (the conv → BN → ReLU of a resnet block): the same
    /// values and gradients as <c>.Relu()</c> after it, without the extra tensor and pass. With a <c>residual</c> (and
    /// <c>relu</c>), <c>relu(bn(x) + residual)</c>, a resnet block's tail, is computed in the output's one buffer: the same
    /// values and gradients as the three ops, without the two tensors between them (which would live until the batch ends).
    /// </summary>
    internal static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, bool relu = false, Tensor? residual = null)
    {
        const string op = "BatchNorm";
        RequireFloat(op, input, runningMean, runningVar, weight, bias);
        if (input.NDim < 2)
            throw new ArgumentException($"{op}: expected an input of at least 2 dims (N, C, ...), got shape {input.Shape}.");
        int n = input.Sizes[0], c = input.Sizes[1], l = n * c == 0 ? 0 : input.Numel / (n * c);
        CheckChannels(op, "weight", weight, c, input);
        CheckChannels(op, "bias", bias, c, input);
        CheckChannels(op, "running_mean", runningMean, c, input);
        CheckChannels(op, "running_var", runningVar, c, input);
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: give both running_mean and running_var, or neither.");
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: evaluation mode normalises with the running statistics, but none were given (pass training: true to use the batch's).");
        if (training && (long)n * l <= 1)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input of shape {input.Shape}.");
        if (eps < 0 || float.IsNaN(eps)) throw new ArgumentException($"{op}: eps must be non-negative, got {eps}.");
        if (residual is not null && (!relu || residual.Shape != input.Shape))
            throw new ArgumentException($"{op}: the residual must have the input's shape {input.Shape} (got {residual.Shape}) and comes with relu.");
        if (residual is not null) RequireFloat(op, residual);
        CapturedGraph.ThrowIfCapturing(op, "batch norm has no capture support yet (in training mode it also updates the running statistics)");
        if (input.IsOnDevice) return DeviceBatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu, residual, n, c, l);
        if (!training && input.IsChannelsLast && !BuildsGraph(input, weight, bias, residual) && !OpTrace.IsActive)
            return ChannelsLastBatchNorm(input, runningMean!, runningVar!, weight, bias, eps, relu, residual);
        Span<float> rm = default, rv = default;
        if (training && runningMean is not null)
        {
            rm = RunningStat(op, "running_mean", runningMean);
            rv = RunningStat(op, "running_var", runningVar!);
        }
        else if (runningMean is not null)
        {
            rm = runningMean.Detach().Contiguous().Floats;
            rv = runningVar!.Detach().Contiguous().Floats;
        }

        Tensor x = input.Detach().Contiguous();
        Tensor? gamma = weight?.Detach().Contiguous(), beta = bias?.Detach().Contiguous();
        Tensor y = Uninitialized(input.Sizes);
        float[] mean = new float[c], invstd = new float[c];
        Norm.BatchNormForward(y.Floats, mean, invstd, x.Floats, gamma is null ? default : gamma.Floats, beta is null ? default : beta.Floats,
            rm, rv, n, c, l, training, momentum, eps, relu && residual is null);
        if (residual is not null)
        {
            Span<float> yf = y.Floats;
            System.Numerics.Tensors.TensorPrimitives.Add(yf, residual.Detach().Contiguous().Floats, yf);
            System.Numerics.Tensors.TensorPrimitives.Max(yf, 0f, yf);
        }
        var inputs = new List<Tensor>(4) { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (residual is not null) inputs.Add(residual);
        OpKind kind = residual is not null ? OpKind.BatchNormAddRelu : relu ? OpKind.BatchNormRelu : OpKind.BatchNorm;
        object? traced = OpTrace.IsActive ? new OpAttributes.BatchNorm(runningMean, runningVar, weight is not null, bias is not null, training, eps) : null;
        return Record(y, kind, inputs.ToArray(), g =>
        {
            // ReLU's backward first: the gradient passes where the output is positive. After a residual sum the masked
            // gradient is also the residual's, so it is made whole from y; otherwise the kernel masks it a row at a time,
            // recomputing the sign from x, so y need not outlive its readers (PyTorch's in-place ReLU saves the same).
            if (residual is not null)
            {
                Tensor gc = g.Contiguous(), masked = Uninitialized(g.Sizes);
                Kernels.Compare.WherePositive(masked.Floats, y.Floats, gc.Floats);
                g = masked;
            }
            Tensor? dx = input.RequiresGradient ? Uninitialized(input.Sizes) : null;
            Tensor? dw = weight is not null && weight.RequiresGradient ? Empty([c]) : null;
            Tensor? db = bias is not null && bias.RequiresGradient ? Empty([c]) : null;
            Norm.BatchNormBackward(dx is null ? default : dx.Floats, dw is null ? default : dw.Floats, db is null ? default : db.Floats,
                g.Contiguous().Floats, x.Floats, mean, invstd, gamma is null ? default : gamma.Floats, n, c, l, training,
                relu: relu && residual is null, beta is null ? default : beta.Floats);
            var grads = new List<Tensor?>(4) { dx };
            if (weight is not null) grads.Add(dw);
            if (bias is not null) grads.Add(db);
            if (residual is not null) grads.Add(residual.RequiresGradient ? g : null); // the sum passes the masked gradient through
            return grads.ToArray();
        }, traced, readsOutput: residual is not null); // only the residual form reads y (ReLU's mask); the others recompute it from x
    }

    /// <summary>
    /// Evaluation-mode batch norm of a channels-last input with no graph to record (a conv's output in inference): the
    /// output channels-last too, each pixel's channels normalised with the running statistics in one pass, rounding as
    /// the (N, C, H, W) kernel's large maps do. A residual in the other layout is copied to channels-last first.
    /// </summary>
    private static unsafe Tensor ChannelsLastBatchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias,
        float eps, bool relu, Tensor? residual)
    {
        int c = input.Sizes[1];
        (float[] mean, float[] scale, float[] shift) = EvalNormVectors(runningMean, runningVar, weight, bias, eps);
        Tensor? r = residual?.ChannelsLast();
        Tensor y = UninitializedChannelsLast(input.Sizes[0], c, input.Sizes[2], input.Sizes[3]);
        fixed (float* py = y.ChannelsLastFloats, px = input.ChannelsLastFloats, pr = r is null ? default : r.ChannelsLastFloats, pm = mean, ps = scale, pb = shift)
            NormChannelsLast.EvalForward(py, px, r is null ? null : pr, pm, ps, pb, (long)input.Numel / Math.Max(c, 1), c, relu);
        return y;
    }

    /// <summary>
    /// Evaluation batch norm as y = (x - mean) · scale + shift per channel: mean the running mean, scale
    /// invstd · gamma, shift beta (gamma 1 and beta 0 when absent), invstd computed as the images kernel computes it.
    /// </summary>
    private static (float[] Mean, float[] Scale, float[] Shift) EvalNormVectors(Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias, float eps)
    {
        int c = runningMean.Numel;
        ReadOnlySpan<float> rm = runningMean.Contiguous().Floats, rv = runningVar.Contiguous().Floats;
        ReadOnlySpan<float> gamma = weight is null ? default : weight.Contiguous().Floats, beta = bias is null ? default : bias.Contiguous().Floats;
        float[] mean = new float[c], scale = new float[c], shift = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            float istd = (float)(1 / Math.Sqrt((double)rv[ch] + eps)); // as Norm.BatchNormForward's evaluation branch
            (mean[ch], scale[ch], shift[ch]) = (rm[ch], istd * (gamma.IsEmpty ? 1f : gamma[ch]), beta.IsEmpty ? 0f : beta[ch]);
        }
        return (mean, scale, shift);
    }

    /// <summary>
    /// conv2d then evaluation batch norm (then ReLU, or a residual sum and ReLU) as one op, where inference allows it:
    /// nothing records a graph or a trace, every operand is a float tensor on the CPU of the shapes the ops accept, and
    /// the conv takes the channels-last implicit GEMM. The norm is then applied to each of the conv's tiles as it is
    /// finished (<see cref="ConvEpilogue"/>), bitwise the values of the two (or three) ops, with one pass over the
    /// activation fewer. False, with nothing computed, when it does not apply: the caller runs the ops one by one.
    /// </summary>
    internal static unsafe bool TryConvBatchNormInference(Tensor input, Tensor weight, Tensor? convBias, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, Tensor runningMean, Tensor runningVar, Tensor? gamma, Tensor? beta, float eps, bool relu, Tensor? residual,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Tensor? output)
    {
        output = null;
        if (OpTrace.IsActive || CapturedGraph.IsCapturing || BuildsGraph(input, weight, convBias, gamma, beta, residual)) return false;
        foreach (Tensor? t in (ReadOnlySpan<Tensor?>)[input, weight, convBias, runningMean, runningVar, gamma, beta, residual])
            if (t is not null && (t.IsOnDevice || t.DType != DType.Float32)) return false;
        if (input.NDim != 4 || weight.NDim != 4 || input.Sizes[1] != weight.Sizes[1] || eps < 0 || float.IsNaN(eps)) return false;
        int oc = weight.Sizes[0];
        foreach (Tensor? t in (ReadOnlySpan<Tensor?>)[convBias, runningMean, runningVar, gamma, beta])
            if (t is not null && (t.NDim != 1 || t.Sizes[0] != oc)) return false;
        if (stride.H < 1 || stride.W < 1 || padding.H < 0 || padding.W < 0 || dilation.H < 1 || dilation.W < 1) return false;
        var s = new Conv2dGeometry(input.Sizes[0], input.Sizes[1], input.Sizes[2], input.Sizes[3], oc, weight.Sizes[2], weight.Sizes[3],
            stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, 1);
        if (s.OH < 1 || s.OW < 1 || !Conv.SupportsChannelsLast(s)) return false;
        if (residual is not null && (!relu || residual.Shape != new Shape([s.N, oc, s.OH, s.OW]))) return false;

        (float[] mean, float[] scale, float[] shift) = EvalNormVectors(runningMean, runningVar, gamma, beta, eps);
        bool channelsLast = input.IsChannelsLast;
        Tensor x = channelsLast ? input : input.Contiguous(), wt = weight.Contiguous();
        Tensor? b = convBias?.Contiguous(), r = residual?.ChannelsLast();
        Tensor y = UninitializedChannelsLast(s.N, oc, s.OH, s.OW);
        fixed (float* pm = mean, ps = scale, pb = shift, pr = r is null ? default : r.ChannelsLastFloats)
            Conv.ForwardChannelsLast(y.ChannelsLastFloats, channelsLast ? x.ChannelsLastFloats : x.Floats, channelsLast, wt.Floats,
                b is null ? default : b.Floats, s, new ConvEpilogue(pm, ps, pb, r is null ? null : pr, relu));
        output = y;
        return true;
    }

    /// <summary>Batch norm with its input on a device (every other operand there too): the backend's per-channel kernels; a residual tail as an add and a ReLU after it.</summary>
    private static Tensor DeviceBatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, bool relu, Tensor? residual, int n, int c, int l)
    {
        const string op = "BatchNorm";
        DeviceBackend backend = input.Memory.Backend;
        foreach ((string name, Tensor? t) in new[] { ("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias), ("residual", residual) })
            if (t is not null && t.Device != input.Device)
                throw new InvalidOperationException($"{op}: the input is on {input.Device} but {name} on {t.Device}; move the module with .To({input.Device}).");
        if ((weight is null) != (bias is null)) throw backend.Unsupported($"{op} with only one of weight and bias");
        if (residual is not null)
            return (DeviceBatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu: false, null, n, c, l) + residual).Relu();
        if (training && runningMean is not null)
            foreach ((string name, Tensor t) in new[] { ("running_mean", runningMean), ("running_var", runningVar!) })
            {
                if (!t.IsContiguous || t.Offset != 0 || t.RequiresGradient)
                    throw new ArgumentException($"{op}: {name} is updated in place, so it must be a contiguous buffer that does not require grad.");
            }
        Tensor x = DenseOnDevice(input);
        Tensor? gamma = weight is null ? null : DenseOnDevice(weight), beta = bias is null ? null : DenseOnDevice(bias);
        Tensor? rm = runningMean is null ? null : training ? runningMean : DenseOnDevice(runningMean);
        Tensor? rv = runningVar is null ? null : training ? runningVar : DenseOnDevice(runningVar);
        Tensor y = OnDevice(backend, input.Sizes), mean = OnDevice(backend, [c]), invstd = OnDevice(backend, [c]);
        backend.BatchNormForward(y.Memory, x.Memory, gamma?.Memory, beta?.Memory, rm?.Memory, rv?.Memory, mean.Memory, invstd.Memory, n, c, l, training, momentum, eps, relu);
        var inputs = new List<Tensor>(3) { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        object? traced = OpTrace.IsActive ? new OpAttributes.BatchNorm(runningMean, runningVar, weight is not null, bias is not null, training, eps) : null;
        return Record(y, relu ? OpKind.BatchNormRelu : OpKind.BatchNorm, inputs.ToArray(), g =>
        {
            Tensor dx = OnDevice(backend, input.Sizes);
            Tensor? dw = weight is not null ? OnDevice(backend, [c]) : null, db = bias is not null ? OnDevice(backend, [c]) : null;
            backend.BatchNormBackward(dx.Memory, dw?.Memory, db?.Memory, DenseOnDevice(g).Memory, x.Memory, y.Memory, gamma?.Memory, mean.Memory, invstd.Memory,
                n, c, l, training, relu);
            var grads = new List<Tensor?>(3) { input.RequiresGradient ? dx : null };
            if (weight is not null) grads.Add(weight.RequiresGradient ? dw : null);
            if (bias is not null) grads.Add(bias.RequiresGradient ? db : null);
            return grads.ToArray();
        }, traced);
    }

    private static void CheckChannels(string op, string name, Tensor? t, int c, Tensor input)
    {
        if (t is not null && (t.NDim != 1 || t.Sizes[0] != c))
            throw new ArgumentException($"{op}: expected {name} of shape [{c}] for an input of shape {input.Shape} ({c} channels), got {t.Shape}.");
    }

    /// <summary>The elements of a running statistic that the kernel updates in place: it must be a contiguous leaf that does not require grad.</summary>
    private static Span<float> RunningStat(string op, string name, Tensor t)
    {
        if (!t.IsContiguous)
            throw new ArgumentException($"{op}: {name} must be contiguous to be updated in place, got strides [{string.Join(", ", t.Strides)}].");
        if (t.RequiresGradient)
            throw new ArgumentException($"{op}: {name} requires grad, but running statistics are updated in place; pass a buffer (or a detached tensor).");
        return t.Floats;
    }
}
