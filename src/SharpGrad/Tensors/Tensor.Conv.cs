using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (PyTorch's <c>conv2d</c>): input (N,C,H,W) or unbatched (C,H,W), weight (OC,C/groups,KH,KW),
    /// optional bias (OC); one backward rule computes the input, weight and bias gradients with the GEMM kernels.
    /// </summary>
    internal static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups)
    {
        const string op = "Conv2d";
        RequireFloat(op, input, weight, bias);
        if (input.NDim == 3) return Conv2d(input.Unsqueeze(0), weight, bias, stride, padding, dilation, groups).Squeeze(0);
        if (input.NDim != 4)
            throw new ArgumentException($"{op}: expected a 4-D input (N, C, H, W) or a 3-D unbatched input (C, H, W), got shape {input.Shape}.");
        if (weight.NDim != 4)
            throw new ArgumentException($"{op}: expected a 4-D weight (out_channels, in_channels/groups, kH, kW), got shape {weight.Shape}.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{op}: stride must be positive, got {stride}.");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"{op}: padding must be non-negative, got {padding}.");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentException($"{op}: dilation must be positive, got {dilation}.");
        if (groups < 1) throw new ArgumentException($"{op}: groups must be positive, got {groups}.");
        int n = input.Sizes[0], c = input.Sizes[1], h = input.Sizes[2], w = input.Sizes[3];
        int oc = weight.Sizes[0], kh = weight.Sizes[2], kw = weight.Sizes[3];
        if (oc % groups != 0)
            throw new ArgumentException($"{op}: with groups={groups} the weight's out_channels must be divisible by {groups}, but the weight has shape {weight.Shape}.");
        if (weight.Sizes[1] * groups != c)
            throw new ArgumentException($"{op}: with groups={groups}, a weight of shape {weight.Shape} expects an input with {weight.Sizes[1] * groups} channels, but the input of shape {input.Shape} has {c}.");
        if (kh < 1 || kw < 1 || weight.Sizes[1] < 1)
            throw new ArgumentException($"{op}: the weight of shape {weight.Shape} is empty.");
        if (bias is not null && (bias.NDim != 1 || bias.Sizes[0] != oc))
            throw new ArgumentException($"{op}: expected a bias of shape [{oc}] for a weight of shape {weight.Shape}, got {bias.Shape}.");
        var s = new Conv2dGeometry(n, c, h, w, oc, kh, kw, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        if (s.OH < 1 || s.OW < 1)
            throw new ArgumentException($"{op}: the input of shape {input.Shape} padded by {padding} is smaller than the kernel {kh}x{kw} dilated by {dilation}: the output would be {s.OH}x{s.OW}.");

        if (input.IsOnDevice || weight.IsOnDevice || bias is { IsOnDevice: true }) return DeviceConv2d(input, weight, bias, s, stride, padding, dilation, groups);
        if (!BuildsGraph(input, weight, bias) && !OpTrace.IsActive && !CapturedGraph.IsCapturing && Conv.SupportsChannelsLast(s))
            return ChannelsLastConv2d(input, weight, bias, s);
        Tensor x = input.Detach().Contiguous(), wt = weight.Detach().Contiguous();
        Tensor? b = bias?.Detach().Contiguous();
        Tensor y = Uninitialized([n, oc, s.OH, s.OW]);
        // When the weight gradient will be wanted, keep forward's im2col matrix for it instead of building it again.
        long keep = weight.RequiresGradient && Autograd.GradMode.IsEnabled ? Conv.KeptColumnsLength(s) : 0;
        Tensor? columns = keep > 0 ? Uninitialized([checked((int)keep)]) : null;
        // Likewise the weight as the lowering reorders it, for the input gradient: that gradient is then the one of the
        // weight the forward used, even if the weight is edited in place before backward (which PyTorch refuses). Only
        // when it is no larger than the output it sits beside: a 224x224 resnet18 step then keeps layer1-3's (37K-590K
        // floats) but not layer4's 2.4M-float weights beside 0.8M-float outputs (29 MB of its peak), and reorders
        // those again in backward, which measured within the noise of the step's time.
        long keepWeight = input.RequiresGradient && Autograd.GradMode.IsEnabled ? Conv.KeptWeightLength(s) : 0;
        if (keepWeight > (long)n * oc * s.OH * s.OW) keepWeight = 0;
        Tensor? reordered = keepWeight > 0 ? Uninitialized([checked((int)keepWeight)]) : null;
        Conv.Forward(y.Floats, x.Floats, wt.Floats, b is null ? default : b.Floats, s, columns is null ? default : columns.Floats,
            reordered is null ? default : reordered.Floats);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record(y, OpKind.Conv2d, inputs, g =>
        {
            Tensor gy = g.Contiguous();
            Tensor? dx = null, dw = null, db = null;
            if (input.RequiresGradient)
                Conv.BackwardInput((dx = Uninitialized(x.Sizes)).Floats, gy.Floats, wt.Floats, s, accumulate: false, reordered is null ? default : reordered.Floats);
            if (weight.RequiresGradient)
                Conv.BackwardWeight((dw = Uninitialized(wt.Sizes)).Floats, gy.Floats, x.Floats, s, columns is null ? default : columns.Floats, accumulate: false);
            if (bias is not null && bias.RequiresGradient) Conv.BackwardBias((db = Empty([oc])).Floats, gy.Floats, s);
            return bias is null ? [dx, dw] : [dx, dw, db];
        }, OpTrace.IsActive ? new OpAttributes.Conv(stride, padding, dilation, groups) : null);
    }

    /// <summary>
    /// Inference (no graph to record): the output channels-last, written by the implicit GEMM's tiles where they belong,
    /// from an input in either layout; a channels-last input (the previous conv's or batch norm's output) is then padded
    /// by row copies. Together that saves the two transposes per conv that took 10% of a 224x224 resnet18 forward.
    /// </summary>
    private static Tensor ChannelsLastConv2d(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry s)
    {
        bool channelsLast = input.IsChannelsLast;
        Tensor x = channelsLast ? input : input.Contiguous(), wt = weight.Contiguous();
        Tensor? b = bias?.Contiguous();
        Tensor y = UninitializedChannelsLast(s.N, s.OC, s.OH, s.OW);
        Conv.ForwardChannelsLast(y.ChannelsLastFloats, channelsLast ? x.ChannelsLastFloats : x.Floats, channelsLast, wt.Floats, b is null ? default : b.Floats, s);
        return y;
    }

    /// <summary>Whether an op on these operands records a node: grad mode is on and one of them requires grad.</summary>
    private static bool BuildsGraph(params ReadOnlySpan<Tensor?> operands)
    {
        if (!Autograd.GradMode.IsEnabled) return false;
        foreach (Tensor? t in operands)
            if (t is { RequiresGradient: true }) return true;
        return false;
    }

    /// <summary>Conv2d with its operands on a device: the backend's implicit-GEMM kernels forward and for both gradients; the bias gradient sums dy on the device.</summary>
    private static Tensor DeviceConv2d(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry s, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups)
    {
        Tensor a = input, wgt = weight;
        DeviceBackend backend = BackendOf(ref a, ref wgt, "Conv2d")!;
        if (bias is not null && bias.Device != a.Device)
            throw new InvalidOperationException($"Conv2d: the bias is on {bias.Device} and the input on {a.Device}; move it with .To({a.Device}) first.");
        Tensor x = DenseOnDevice(input), wt = DenseOnDevice(weight);
        Tensor? b = bias is null ? null : DenseOnDevice(bias);
        Tensor y = OnDevice(backend, [s.N, s.OC, s.OH, s.OW]);
        backend.ConvForward(y.Memory, x.Memory, wt.Memory, b?.Memory, s);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record(y, OpKind.Conv2d, inputs, g =>
        {
            Tensor gy = DenseOnDevice(g);
            Tensor? dx = null, dw = null, db = null;
            if (input.RequiresGradient) backend.ConvInputGrad((dx = OnDevice(backend, x.Sizes)).Memory, gy.Memory, wt.Memory, s);
            if (weight.RequiresGradient) backend.ConvWeightGrad((dw = OnDevice(backend, wt.Sizes)).Memory, gy.Memory, x.Memory, s);
            if (bias is not null && bias.RequiresGradient) db = gy.Sum([0, 2, 3]);
            return bias is null ? [dx, dw] : [dx, dw, db];
        }, OpTrace.IsActive ? new OpAttributes.Conv(stride, padding, dilation, groups) : null);
    }

    /// <summary>Throws unless every given tensor holds float32 values.</summary>
    private static void RequireFloat(string op, params ReadOnlySpan<Tensor?> tensors)
    {
        foreach (Tensor? t in tensors)
            if (t is not null && t.DType != DType.Float32)
                throw new NotSupportedException($"{op} needs float tensors, got a {t.DType.TorchName()} tensor of shape {t.Shape}.");
    }
}
