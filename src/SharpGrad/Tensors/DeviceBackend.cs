using SharpGrad.Kernels;

namespace SharpGrad;

/// <summary>
/// Memory on a device: the storage of a device tensor. A tensor on a device holds a one-element
/// <c>DeviceMemory[]</c> as its <c>Storage</c>, so views share it exactly as CPU views share an array, and CPU code
/// that reaches for the array of a device tensor fails loudly (<see cref="Tensor.StorageSpan{T}"/>) instead of reading
/// it as floats. Released by the garbage collector with the last tensor that uses it.
/// </summary>
internal abstract class DeviceMemory
{
    /// <summary>The backend that owns it.</summary>
    public abstract DeviceBackend Backend { get; }

    /// <summary>Floats it holds.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// Frees it now that no tensor will read it (the end of the <see cref="TensorScope"/> that owned it), once the device
    /// has finished the work queued so far; without a call the garbage collector frees it. Calling it twice does nothing.
    /// </summary>
    public abstract void Free();
}

/// <summary>A strided view into device memory: its sizes, its strides and offset in elements (a CPU tensor's geometry).</summary>
internal readonly record struct DeviceLayout(int[] Sizes, int[] Strides, int Offset)
{
    public static DeviceLayout Of(Tensor t) => new(t.Sizes, t.Strides, t.Offset);
}

/// <summary>
/// The entry points the tensor ops call for tensors on one device (issue 16's seam): allocation and transfers, strided
/// copies, broadcasting elementwise ops, the matrix product, sums and max/min along a middle dim, softmax, convolution, batch norm,
/// pooling and the optimizer steps. Float32 only. The CPU needs no backend: its ops run the kernels in <c>Kernels/</c>
/// directly, so the CPU path pays one type check per op. Every entry point goes through one place (<c>Launch</c>) that
/// names the op and shapes of a failed launch and records launches for <see cref="CapturedGraph"/>; implementations
/// (SharpGrad.Cuda) override the <c>...Core</c> methods and register themselves with <see cref="Register"/>.
/// </summary>
internal abstract class DeviceBackend
{
    private static readonly Dictionary<Device, Func<DeviceBackend>> s_factories = [];
    private static readonly Dictionary<DeviceKind, Func<int, DeviceBackend>> s_kinds = [];
    private static readonly Dictionary<Device, DeviceBackend> s_open = [];
    private static readonly Lock s_lock = new();

    /// <summary>The device this backend computes on.</summary>
    public abstract Device Device { get; }

    /// <summary>Uninitialised memory for <paramref name="length"/> floats.</summary>
    public abstract DeviceMemory Allocate(long length);

    // ---- Entry points. Each runs its kernel through Launch, which names the op and its shapes when the launch fails
    // ---- and records the launch while a CapturedGraph is capturing; the backends implement the ...Core methods.

    /// <summary>Copies the contiguous host tensor <paramref name="host"/> to the start of <paramref name="dst"/> (a replay reads the host tensor again).</summary>
    public void Upload(DeviceMemory dst, Tensor host) =>
        Launch("Upload", () => UploadCore(dst, host.Floats), () => $"{host.Numel} floats", dst);

    /// <summary>Copies <c>dst.Length</c> floats from <paramref name="src"/> at <paramref name="offset"/> back to the host, after the device's queued work.</summary>
    public void Download(DeviceMemory src, long offset, float[] dst) =>
        Launch("Download", () => DownloadCore(src, offset, dst), () => $"{dst.Length} floats from element {offset} of {src.Length}");

    /// <summary>Sets the first <paramref name="length"/> floats of <paramref name="dst"/> to <paramref name="value"/>.</summary>
    public void Fill(DeviceMemory dst, long length, float value) =>
        Launch("Fill", () => FillCore(dst, length, value), () => $"{length} floats", dst);

    /// <summary>dst written through <paramref name="dstLayout"/> = src read through <paramref name="srcLayout"/> (both of <c>dstLayout.Sizes</c>, strides already broadcast).</summary>
    public void Copy(DeviceMemory dst, DeviceLayout dstLayout, DeviceMemory src, DeviceLayout srcLayout) =>
        Launch("Copy", () => CopyCore(dst, dstLayout, src, srcLayout),
            () => $"sizes {Dims(dstLayout.Sizes)}, destination strides {Dims(dstLayout.Strides)} from {dstLayout.Offset}, source strides {Dims(srcLayout.Strides)} from {srcLayout.Offset}", dst);

    /// <summary>r (contiguous, of <paramref name="shape"/>) = op(a, b), each operand read through strides already broadcast to <paramref name="shape"/> (0 where it repeats).</summary>
    public void Binary(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB) =>
        Launch("Binary", () => BinaryCore(op, r, shape, a, stridesA, offsetA, b, stridesB, offsetB),
            () => $"{op} of shape {Dims(shape)}, a strides {Dims(stridesA)} from {offsetA}, b strides {Dims(stridesB)} from {offsetB}", r);

    /// <summary>r[0..n) = op(x[offset..offset + n)).</summary>
    public void Unary(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n) =>
        Launch("Unary", () => UnaryCore(op, r, x, offset, n), () => $"{op} of {n} elements from {offset}", r);

    /// <summary>d[0..n) = g[offsetG + i] where y[offsetY + i] &gt; 0, else 0 (ReLU's backward from its output).</summary>
    public void ReluBackward(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n) =>
        Launch("ReluBackward", () => ReluBackwardCore(d, y, offsetY, g, offsetG, n), () => $"{n} elements", d);

    /// <summary>r (m×n, row-major) = a (m×k) · b (k×n), each read through its offset and row and column strides.</summary>
    public void MatMul(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k) =>
        Launch("MatMul", () => MatMulCore(r, a, offsetA, rsA, csA, b, offsetB, rsB, csB, m, n, k),
            () => $"[{m}, {k}] · [{k}, {n}], a strides ({rsA}, {csA}) from {offsetA}, b strides ({rsB}, {csB}) from {offsetB}", r);

    /// <summary>r[o, i] = Σ_j x[offset + (o·n + j)·inner + i]: the sum over the middle of a contiguous (outer, n, inner) block.</summary>
    public void Sum(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner) =>
        Launch("Sum", () => SumCore(r, x, offset, outer, n, inner), () => $"over the middle of ({outer}, {n}, {inner}) from {offset}", r);

    /// <summary>
    /// values[o, i] = the largest (or smallest) x[offset + (o·n + j)·inner + i] over j and argmax[o, i] its first j
    /// (int32 in the memory), a NaN winning as on the CPU.
    /// </summary>
    public void MaxMin(DeviceMemory values, DeviceMemory argmax, DeviceMemory x, int offset, int outer, int n, int inner, bool max) =>
        Launch(max ? "Max" : "Min", () => MaxMinCore(values, argmax, x, offset, outer, n, inner, max), () => $"over the middle of ({outer}, {n}, {inner}) from {offset}", values, argmax);

    /// <summary>The max/min's input gradient, overwritten: dx[o, j, i] = g[offsetG + o·inner + i] where j is (o, i)'s argmax, else 0.</summary>
    public void MaxMinBackward(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory argmax, int outer, int n, int inner) =>
        Launch("Max/Min backward", () => MaxMinBackwardCore(dx, g, offsetG, argmax, outer, n, inner), () => $"({outer}, {n}, {inner})", dx);

    /// <summary>y = softmax (or log-softmax) of each of <paramref name="rows"/> contiguous rows of <paramref name="n"/> in x from <paramref name="offsetX"/>.</summary>
    public void Softmax(DeviceMemory y, DeviceMemory x, int offsetX, int rows, int n, bool log) =>
        Launch(log ? "LogSoftmax" : "Softmax", () => SoftmaxCore(y, x, offsetX, rows, n, log), () => $"{rows} rows of {n}", y);

    /// <summary>The input gradient of <see cref="Softmax"/> from its output y and the output gradient g (contiguous from <paramref name="offsetG"/>).</summary>
    public void SoftmaxBackward(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory y, int rows, int n, bool log) =>
        Launch(log ? "LogSoftmaxBackward" : "SoftmaxBackward", () => SoftmaxBackwardCore(dx, g, offsetG, y, rows, n, log), () => $"{rows} rows of {n}", dx);

    /// <summary>y = conv2d(x, w) + bias for the geometry <paramref name="s"/>; every operand contiguous from its first element.</summary>
    public void ConvForward(DeviceMemory y, DeviceMemory x, DeviceMemory w, DeviceMemory? bias, Conv2dGeometry s) =>
        Launch("Conv2d", () => ConvForwardCore(y, x, w, bias, s), () => Describe(s), y);

    /// <summary>dx = the input gradient of the convolution for dy, overwritten.</summary>
    public void ConvInputGrad(DeviceMemory dx, DeviceMemory dy, DeviceMemory w, Conv2dGeometry s) =>
        Launch("Conv2d input gradient", () => ConvInputGradCore(dx, dy, w, s), () => Describe(s), dx);

    /// <summary>dw = the weight gradient of the convolution for dy and x, overwritten.</summary>
    public void ConvWeightGrad(DeviceMemory dw, DeviceMemory dy, DeviceMemory x, Conv2dGeometry s) =>
        Launch("Conv2d weight gradient", () => ConvWeightGradCore(dw, dy, x, s), () => Describe(s), dw);

    /// <summary>
    /// Batch norm of x (N, C, L) per channel into y (ReLU'd when <paramref name="relu"/>), writing the mean and 1/std it
    /// used (C each); gamma and beta both or neither; in training the running statistics (when given) are updated in place.
    /// </summary>
    public void BatchNormForward(DeviceMemory y, DeviceMemory x, DeviceMemory? gamma, DeviceMemory? beta, DeviceMemory? runningMean,
        DeviceMemory? runningVar, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, float momentum, float eps, bool relu) =>
        Launch("BatchNorm", () => BatchNormForwardCore(y, x, gamma, beta, runningMean, runningVar, mean, invstd, n, c, l, training, momentum, eps, relu),
            () => $"input ({n}, {c}, {l}), {(training ? "training" : "evaluation")}", y, mean, invstd);

    /// <summary>Batch norm's gradients: dx always, dgamma and dbeta with an affine transform (dy masked where y ≤ 0 when <paramref name="relu"/>).</summary>
    public void BatchNormBackward(DeviceMemory dx, DeviceMemory? dgamma, DeviceMemory? dbeta, DeviceMemory dy, DeviceMemory x, DeviceMemory y,
        DeviceMemory? gamma, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, bool relu) =>
        Launch("BatchNorm backward", () => BatchNormBackwardCore(dx, dgamma, dbeta, dy, x, y, gamma, mean, invstd, n, c, l, training, relu),
            () => $"input ({n}, {c}, {l}), {(training ? "training" : "evaluation")}", dx, dgamma, dbeta);

    /// <summary>
    /// Max or average pooling of x (planes, H, W) into y (planes, OH, OW); the max writes each output's argmax
    /// (h·W + w, stored as int32 in <paramref name="argmax"/>'s memory) for the backward pass.
    /// </summary>
    public void PoolForward(DeviceMemory y, DeviceMemory argmax, DeviceMemory x, Pool2dGeometry s, bool max, bool countIncludePad) =>
        Launch(max ? "MaxPool2d" : "AvgPool2d", () => PoolForwardCore(y, argmax, x, s, max, countIncludePad), () => Describe(s), y, argmax);

    /// <summary>The pool's input gradient, overwritten; <paramref name="counts"/> holds each output position's divisor (OH·OW) for the average.</summary>
    public void PoolBackward(DeviceMemory dx, DeviceMemory dy, DeviceMemory argmax, DeviceMemory counts, Pool2dGeometry s, bool max) =>
        Launch(max ? "MaxPool2d backward" : "AvgPool2d backward", () => PoolBackwardCore(dx, dy, argmax, counts, s, max), () => Describe(s), dx);

    /// <summary>fastai's SGD on w[0..n): w ·= 1 - lr·wd; with momentum avg = mom·avg + g and w -= lr·avg, else w -= lr·g (g contiguous from <paramref name="offsetG"/>).</summary>
    public void SgdStep(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory? avg, float lr, float mom, float wd, int n) =>
        Launch("SGD step", () => SgdStepCore(w, g, offsetG, avg, lr, mom, wd, n), () => $"{n} parameters", w, avg);

    /// <summary>fastai's Adam on w[0..n) with its moving averages (the CPU's AdamKernel, operation for operation).</summary>
    public void AdamStep(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory avg, DeviceMemory sqr, float decay, float mom, float sqrMom, float stepSize, float invDebias2, float eps, int n) =>
        Launch("Adam step", () => AdamStepCore(w, g, offsetG, avg, sqr, decay, mom, sqrMom, stepSize, invDebias2, eps, n), () => $"{n} parameters", w, avg, sqr);

    /// <summary>
    /// Runs one entry point's kernel: a failure becomes an error naming the device, the op and its shapes; during a
    /// <see cref="CapturedGraph"/> capture the launch is recorded (with the memory it writes) for the replays.
    /// </summary>
    /// <remarks>
    /// Launches are asynchronous, so a kernel that fails on the device itself may surface only at a later launch or
    /// download; with <see cref="LaunchBlockingVariable"/> set each launch waits for the device, so the error names the
    /// op that failed (CUDA_LAUNCH_BLOCKING's counterpart). The closures cost one small allocation per launch, beside
    /// microseconds for the launch itself.
    /// </remarks>
    private void Launch(string op, Action run, Func<string> shapes, DeviceMemory? written = null, DeviceMemory? written2 = null, DeviceMemory? written3 = null,
        [System.Runtime.CompilerServices.CallerMemberName] string entryPoint = "")
    {
        t_launched?.Add(entryPoint);
        try
        {
            run();
            if (s_blocking) SynchronizeCore();
        }
        catch (Exception e) when (e is not (NotSupportedException or DeviceLaunchException or OutOfMemoryException))
        {
            string hint = s_blocking ? "" : $" A launch queued earlier may be what failed: set {LaunchBlockingVariable}=1 to make each launch wait, so the error names it.";
            throw new DeviceLaunchException($"{Device}: {op} failed ({shapes()}): {e.Message.TrimEnd('.')}.{hint}", e);
        }
        if (CapturedGraph.IsCapturing) CapturedGraph.RecordDevice(run, written, written2, written3);
    }

    /// <summary>While set, the entry points launched on this thread are added to it (how a test proves it exercised every one).</summary>
    [ThreadStatic] internal static HashSet<string>? t_launched;

    private static string Dims(int[] values) => $"[{string.Join(", ", values)}]";

    private static string Describe(Conv2dGeometry s) =>
        $"input [{s.N}, {s.C}, {s.H}, {s.W}], weight [{s.OC}, {s.C / Math.Max(s.Groups, 1)}, {s.KH}, {s.KW}], output [{s.N}, {s.OC}, {s.OH}, {s.OW}], " +
        $"stride ({s.StrideH}, {s.StrideW}), padding ({s.PadH}, {s.PadW}), dilation ({s.DilH}, {s.DilW}), groups {s.Groups}";

    private static string Describe(Pool2dGeometry s) =>
        $"{s.Planes} planes of {s.H}×{s.W} to {s.OH}×{s.OW}, kernel ({s.KH}, {s.KW}), stride ({s.StrideH}, {s.StrideW}), padding ({s.PadH}, {s.PadW})";

    /// <summary>Set to 1, every device launch waits for the device to finish it, so an error names the op that failed (slow; for debugging).</summary>
    public const string LaunchBlockingVariable = "SHARPGRAD_LAUNCH_BLOCKING";

    private static readonly bool s_blocking = Environment.GetEnvironmentVariable(LaunchBlockingVariable) == "1";

    // ---- What a backend implements (the arguments as the entry points above describe them).

    /// <summary>Waits until the device has finished every launch queued so far.</summary>
    protected abstract void SynchronizeCore();

    /// <summary>Copies <paramref name="src"/> to the start of <paramref name="dst"/>.</summary>
    protected abstract void UploadCore(DeviceMemory dst, ReadOnlySpan<float> src);

    /// <summary>Copies <c>dst.Length</c> floats from <paramref name="src"/> at <paramref name="offset"/> back to the host, after the device's queued work.</summary>
    protected abstract void DownloadCore(DeviceMemory src, long offset, Span<float> dst);

    /// <summary>See <see cref="Fill"/>.</summary>
    protected abstract void FillCore(DeviceMemory dst, long length, float value);

    /// <summary>See <see cref="Copy"/>.</summary>
    protected abstract void CopyCore(DeviceMemory dst, DeviceLayout dstLayout, DeviceMemory src, DeviceLayout srcLayout);

    /// <summary>See <see cref="Binary"/>.</summary>
    protected abstract void BinaryCore(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB);

    /// <summary>See <see cref="Unary"/>.</summary>
    protected abstract void UnaryCore(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n);

    /// <summary>See <see cref="ReluBackward"/>.</summary>
    protected abstract void ReluBackwardCore(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n);

    /// <summary>See <see cref="MatMul"/>.</summary>
    protected abstract void MatMulCore(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k);

    /// <summary>See <see cref="Sum"/>.</summary>
    protected abstract void SumCore(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner);

    /// <summary>See <see cref="MaxMin"/>.</summary>
    protected abstract void MaxMinCore(DeviceMemory values, DeviceMemory argmax, DeviceMemory x, int offset, int outer, int n, int inner, bool max);

    /// <summary>See <see cref="MaxMinBackward"/>.</summary>
    protected abstract void MaxMinBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory argmax, int outer, int n, int inner);

    /// <summary>See <see cref="Softmax"/>.</summary>
    protected abstract void SoftmaxCore(DeviceMemory y, DeviceMemory x, int offsetX, int rows, int n, bool log);

    /// <summary>See <see cref="SoftmaxBackward"/>.</summary>
    protected abstract void SoftmaxBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory y, int rows, int n, bool log);

    /// <summary>See <see cref="ConvForward"/>.</summary>
    protected abstract void ConvForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory w, DeviceMemory? bias, Conv2dGeometry s);

    /// <summary>See <see cref="ConvInputGrad"/>.</summary>
    protected abstract void ConvInputGradCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory w, Conv2dGeometry s);

    /// <summary>See <see cref="ConvWeightGrad"/>.</summary>
    protected abstract void ConvWeightGradCore(DeviceMemory dw, DeviceMemory dy, DeviceMemory x, Conv2dGeometry s);

    /// <summary>See <see cref="BatchNormForward"/>.</summary>
    protected abstract void BatchNormForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory? gamma, DeviceMemory? beta, DeviceMemory? runningMean,
        DeviceMemory? runningVar, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, float momentum, float eps, bool relu);

    /// <summary>See <see cref="BatchNormBackward"/>.</summary>
    protected abstract void BatchNormBackwardCore(DeviceMemory dx, DeviceMemory? dgamma, DeviceMemory? dbeta, DeviceMemory dy, DeviceMemory x, DeviceMemory y,
        DeviceMemory? gamma, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, bool relu);

    /// <summary>See <see cref="PoolForward"/>.</summary>
    protected abstract void PoolForwardCore(DeviceMemory y, DeviceMemory argmax, DeviceMemory x, Pool2dGeometry s, bool max, bool countIncludePad);

    /// <summary>See <see cref="PoolBackward"/>.</summary>
    protected abstract void PoolBackwardCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory argmax, DeviceMemory counts, Pool2dGeometry s, bool max);

    /// <summary>See <see cref="SgdStep"/>.</summary>
    protected abstract void SgdStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory? avg, float lr, float mom, float wd, int n);

    /// <summary>See <see cref="AdamStep"/>.</summary>
    protected abstract void AdamStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory avg, DeviceMemory sqr, float decay, float mom, float sqrMom, float stepSize, float invDebias2, float eps, int n);

    /// <summary>Buffers whose tensors are gone but which wait for the device to finish its queued work before being freed.</summary>
    public virtual int PendingReleases => 0;

    /// <summary>Names the op and device when a backend cannot run an op; the message says how to go on.</summary>
    public NotSupportedException Unsupported(string op) =>
        new($"{op} does not run on {Device} yet. Move the tensors with .To(Device.Cpu) for this step.");

    /// <summary>Makes <paramref name="factory"/> the way to open <paramref name="device"/> (replacing any earlier one; an open backend is kept until replaced).</summary>
    public static void Register(Device device, Func<DeviceBackend> factory)
    {
        lock (s_lock)
        {
            s_factories[device] = factory;
            s_open.Remove(device);
        }
    }

    /// <summary>Makes <paramref name="factory"/> the way to open every device of <paramref name="kind"/> without a <see cref="Register"/>ed factory of its own.</summary>
    public static void RegisterKind(DeviceKind kind, Func<int, DeviceBackend> factory)
    {
        lock (s_lock) s_kinds[kind] = factory;
    }

    /// <summary>The backend of <paramref name="device"/>, opened on first use.</summary>
    /// <exception cref="InvalidOperationException">No backend for this kind of device is available; the message says which package provides it.</exception>
    public static DeviceBackend For(Device device)
    {
        if (device.IsCpu) throw new InvalidOperationException("Internal error: the CPU has no device backend.");
        bool known;
        lock (s_lock)
        {
            if (s_open.TryGetValue(device, out DeviceBackend? open)) return open;
            known = s_factories.ContainsKey(device) || s_kinds.ContainsKey(device.Kind);
        }
        if (!known) LoadProvider(device.Kind); // outside the lock: the provider's initializer registers itself
        lock (s_lock)
        {
            if (s_open.TryGetValue(device, out DeviceBackend? open)) return open;
            if (s_factories.TryGetValue(device, out Func<DeviceBackend>? factory)) return s_open[device] = factory();
            if (!s_kinds.TryGetValue(device.Kind, out Func<int, DeviceBackend>? kindFactory))
                throw new InvalidOperationException($"No backend for {device}: reference the SharpGrad.Cuda package (and have an NVIDIA driver), or call SharpGrad.Cuda.CudaBackend.UseSimulator() to run device code on the CPU.");
            return s_open[device] = kindFactory(device.Index);
        }
    }

    /// <summary>Loads SharpGrad.Cuda if the application ships it; its type initializer registers the CUDA kind.</summary>
    private static void LoadProvider(DeviceKind kind)
    {
        if (kind != DeviceKind.Cuda) return;
        Type? provider = Type.GetType("SharpGrad.Cuda.CudaBackend, SharpGrad.Cuda", throwOnError: false);
        if (provider is not null) System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(provider.TypeHandle);
    }
}

/// <summary>A device kernel failed; the message names the device, the op and its shapes, the inner exception the cause.</summary>
internal sealed class DeviceLaunchException(string message, Exception inner) : InvalidOperationException(message, inner);
