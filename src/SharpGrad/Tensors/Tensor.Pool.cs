using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Max pooling over the last two dims of a (N,C,H,W) or (C,H,W) input (dilation 1, ceil_mode false); with
    /// <paramref name="withIndices"/> also the argmax of each output as h·W + w (int64), as PyTorch's <c>return_indices</c>.
    /// </summary>
    internal static unsafe (Tensor Output, Tensor? Indices) MaxPool2d(Tensor input, (int H, int W) kernel, (int H, int W) stride,
        (int H, int W) padding, bool withIndices)
    {
        const string op = "MaxPool2d";
        (int planes, int h, int w) = PoolInput(op, input);
        Pool2dGeometry s = PoolGeometry(op, input, planes, h, w, kernel, stride, padding);
        if (input.IsOnDevice)
        {
            if (withIndices) throw input.Memory.Backend.Unsupported($"{op} with return_indices (int64 indices)");
            return (DevicePool(input, s, max: true, countIncludePad: false, OpKind.MaxPool2d, OpTrace.IsActive ? new OpAttributes.Pool(kernel, stride, padding, false) : null), null);
        }
        if (!withIndices && input.IsChannelsLast && !BuildsGraph(input) && !OpTrace.IsActive && !CapturedGraph.IsCapturing)
        {
            // inference on a conv's channels-last output: pooled in that layout, no argmax kept
            Tensor yc = UninitializedChannelsLast(input.Sizes[0], input.Sizes[1], s.OH, s.OW);
            fixed (float* py = yc.ChannelsLastFloats, px = input.ChannelsLastFloats)
                PoolChannelsLast.MaxForward(py, px, input.Sizes[0], input.Sizes[1], s);
            return (yc, null);
        }
        Tensor x = input.Detach().Contiguous();
        Tensor y = Uninitialized(PooledShape(input, s.OH, s.OW));
        Tensor argmaxStore = IndexBuffer(y.Numel);
        Pool.MaxForward(y.Floats, Ints(argmaxStore), x.Floats, s);
        int inPlane = h * w, outPlane = s.OH * s.OW;
        Record(y, OpKind.MaxPool2d, input, g =>
        {
            Tensor dx = Empty(input.Sizes);
            Pool.MaxBackward(dx.Floats, g.Contiguous().Floats, Ints(argmaxStore), planes, inPlane, outPlane);
            return dx;
        }, OpTrace.IsActive ? new OpAttributes.Pool(kernel, stride, padding, false) : null);
        return (y, withIndices ? IndicesTensor(Ints(argmaxStore), y.Sizes) : null);
    }

    /// <summary>Average pooling over the last two dims of a (N,C,H,W) or (C,H,W) input (ceil_mode false).</summary>
    internal static Tensor AvgPool2d(Tensor input, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, bool countIncludePad)
    {
        const string op = "AvgPool2d";
        (int planes, int h, int w) = PoolInput(op, input);
        Pool2dGeometry s = PoolGeometry(op, input, planes, h, w, kernel, stride, padding);
        if (input.IsOnDevice)
            return DevicePool(input, s, max: false, countIncludePad, OpKind.AvgPool2d, OpTrace.IsActive ? new OpAttributes.Pool(kernel, stride, padding, countIncludePad) : null);
        Tensor x = input.Detach().Contiguous();
        Tensor y = Uninitialized(PooledShape(input, s.OH, s.OW));
        Pool.AvgForward(y.Floats, x.Floats, s, countIncludePad);
        return Record(y, OpKind.AvgPool2d, input, g =>
        {
            Tensor dx = Empty(input.Sizes);
            Pool.AvgBackward(dx.Floats, g.Contiguous().Floats, s, countIncludePad);
            return dx;
        }, OpTrace.IsActive ? new OpAttributes.Pool(kernel, stride, padding, countIncludePad) : null);
    }

    /// <summary>Adaptive average pooling of a (N,C,H,W) or (C,H,W) input to <paramref name="outH"/>×<paramref name="outW"/>.</summary>
    internal static Tensor AdaptiveAvgPool2d(Tensor input, int outH, int outW)
    {
        const string op = "AdaptiveAvgPool2d";
        (int planes, int h, int w) = PoolInput(op, input);
        CheckAdaptive(op, input, outH, outW);
        if (input.IsOnDevice)
            return DevicePool(input, AdaptiveAsPool(op, input, planes, h, w, outH, outW), max: false, countIncludePad: false, OpKind.AdaptiveAvgPool2d,
                OpTrace.IsActive ? new OpAttributes.AdaptivePool(outH, outW) : null);
        Tensor x = input.Detach().Contiguous();
        Tensor y = Uninitialized(PooledShape(input, outH, outW));
        Pool.AdaptiveAvgForward(y.Floats, x.Floats, planes, h, w, outH, outW);
        return Record(y, OpKind.AdaptiveAvgPool2d, input, g =>
        {
            Tensor dx = Empty(input.Sizes);
            Pool.AdaptiveAvgBackward(dx.Floats, g.Contiguous().Floats, planes, h, w, outH, outW);
            return dx;
        }, OpTrace.IsActive ? new OpAttributes.AdaptivePool(outH, outW) : null);
    }

    /// <summary>Adaptive max pooling of a (N,C,H,W) or (C,H,W) input, optionally with the argmax indices (int64, h·W + w).</summary>
    internal static (Tensor Output, Tensor? Indices) AdaptiveMaxPool2d(Tensor input, int outH, int outW, bool withIndices)
    {
        const string op = "AdaptiveMaxPool2d";
        (int planes, int h, int w) = PoolInput(op, input);
        CheckAdaptive(op, input, outH, outW);
        if (input.IsOnDevice)
        {
            if (withIndices) throw input.Memory.Backend.Unsupported($"{op} with return_indices (int64 indices)");
            return (DevicePool(input, AdaptiveAsPool(op, input, planes, h, w, outH, outW), max: true, countIncludePad: false, OpKind.AdaptiveMaxPool2d,
                OpTrace.IsActive ? new OpAttributes.AdaptivePool(outH, outW) : null), null);
        }
        Tensor x = input.Detach().Contiguous();
        Tensor y = Uninitialized(PooledShape(input, outH, outW));
        Tensor argmaxStore = IndexBuffer(y.Numel);
        Pool.AdaptiveMaxForward(y.Floats, Ints(argmaxStore), x.Floats, planes, h, w, outH, outW);
        int inPlane = h * w, outPlane = outH * outW;
        Record(y, OpKind.AdaptiveMaxPool2d, input, g =>
        {
            Tensor dx = Empty(input.Sizes);
            Pool.MaxBackward(dx.Floats, g.Contiguous().Floats, Ints(argmaxStore), planes, inPlane, outPlane);
            return dx;
        }, OpTrace.IsActive ? new OpAttributes.AdaptivePool(outH, outW) : null);
        return (y, withIndices ? IndicesTensor(Ints(argmaxStore), y.Sizes) : null);
    }

    /// <summary>
    /// Pooling with its input on a device: the backend's kernels, one thread per output forward and per input pixel
    /// backward. The argmax lives in device memory beside the output; the average's divisors are computed here.
    /// </summary>
    private static Tensor DevicePool(Tensor input, Pool2dGeometry s, bool max, bool countIncludePad, OpKind kind, object? traced)
    {
        DeviceBackend backend = input.Memory.Backend;
        Tensor x = DenseOnDevice(input);
        Tensor y = OnDevice(backend, PooledShape(input, s.OH, s.OW)), argmax = OnDevice(backend, [y.Numel]);
        backend.PoolForward(y.Memory, argmax.Memory, x.Memory, s, max, countIncludePad);
        Tensor? counts = null;
        if (!max)
        {
            // Each output position's divisor, the same for every plane: the window's cells inside the image (plus the
            // padding ones when they count), as the forward kernel divides.
            var c = new float[s.OH * s.OW];
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++)
                {
                    int n = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int ih = oh * s.StrideH - s.PadH + kh, iw = ow * s.StrideW - s.PadW + kw;
                            bool inside = ih >= 0 && iw >= 0 && ih < s.H && iw < s.W;
                            if (inside || (countIncludePad && ih < s.H + s.PadH && iw < s.W + s.PadW)) n++;
                        }
                    c[oh * s.OW + ow] = n;
                }
            counts = Tensor.From(c).To(input.Device);
        }
        return Record(y, kind, input, g =>
        {
            Tensor dx = OnDevice(backend, input.Sizes);
            backend.PoolBackward(dx.Memory, DenseOnDevice(g).Memory, argmax.Memory, (counts ?? argmax).Memory, s, max);
            return dx;
        }, traced);
    }

    /// <summary>An adaptive pool that tiles the input exactly (each size a multiple of the output's) as a plain pool; the device runs only those.</summary>
    private static Pool2dGeometry AdaptiveAsPool(string op, Tensor input, int planes, int h, int w, int outH, int outW)
    {
        if (h % outH != 0 || w % outW != 0)
            throw input.Memory.Backend.Unsupported($"{op} of a {h}x{w} plane to {outH}x{outW} (only sizes that divide the input's)");
        return new Pool2dGeometry(planes, h, w, h / outH, w / outW, h / outH, w / outW, 0, 0);
    }

    /// <summary>Planes (N·C, or C) and plane size of a pooling input, after checking its dtype and rank.</summary>
    private static (int Planes, int H, int W) PoolInput(string op, Tensor input)
    {
        RequireFloat(op, input);
        if (input.NDim is not (3 or 4))
            throw new ArgumentException($"{op}: expected a 4-D input (N, C, H, W) or a 3-D unbatched input (C, H, W), got shape {input.Shape}.");
        int h = input.Sizes[^2], w = input.Sizes[^1];
        if (h < 1 || w < 1) throw new ArgumentException($"{op}: the input of shape {input.Shape} has an empty plane.");
        return (input.Numel / (h * w), h, w);
    }

    private static Pool2dGeometry PoolGeometry(string op, Tensor input, int planes, int h, int w, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (kernel.H < 1 || kernel.W < 1) throw new ArgumentException($"{op}: kernel size must be positive, got {kernel}.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"{op}: stride must be positive, got {stride}.");
        if (padding.H < 0 || padding.W < 0 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{op}: padding must be between 0 and half the kernel size, got padding {padding} for kernel {kernel}.");
        var s = new Pool2dGeometry(planes, h, w, kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W);
        if (s.OH < 1 || s.OW < 1)
            throw new ArgumentException($"{op}: the input of shape {input.Shape} padded by {padding} is smaller than the kernel {kernel}: the output would be {s.OH}x{s.OW}.");
        return s;
    }

    private static void CheckAdaptive(string op, Tensor input, int outH, int outW)
    {
        if (outH < 1 || outW < 1)
            throw new ArgumentException($"{op}: output size must be positive, got ({outH}, {outW}) for an input of shape {input.Shape}.");
    }

    /// <summary>The input's shape with its last two dims replaced by <paramref name="oh"/>, <paramref name="ow"/>.</summary>
    private static int[] PooledShape(Tensor input, int oh, int ow)
    {
        int[] shape = (int[])input.Sizes.Clone();
        shape[^2] = oh;
        shape[^1] = ow;
        return shape;
    }

    /// <summary>Room for <paramref name="count"/> int32 argmax positions, in a float tensor's storage so a <see cref="TensorScope"/> pools it like any other.</summary>
    private static Tensor IndexBuffer(int count) => Uninitialized([count]);

    private static Span<int> Ints(Tensor indexBuffer) => System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(indexBuffer.Floats);

    private static Tensor IndicesTensor(ReadOnlySpan<int> argmax, int[] sizes)
    {
        Tensor r = Uninitialized(sizes, DType.Int64);
        Span<long> data = r.Contents<long>();
        for (int i = 0; i < data.Length; i++) data[i] = argmax[i];
        return r;
    }
}
