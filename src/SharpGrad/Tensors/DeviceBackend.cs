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
/// copies, broadcasting elementwise ops, the matrix product and sums along a middle dim. Float32 only. The CPU needs no
/// backend: its ops run the kernels in <c>Kernels/</c> directly, so the CPU path pays one type check per op.
/// Implementations live outside the core (SharpGrad.Cuda) and register themselves with <see cref="Register"/>.
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

    /// <summary>Copies <paramref name="src"/> to the start of <paramref name="dst"/>.</summary>
    public abstract void Upload(DeviceMemory dst, ReadOnlySpan<float> src);

    /// <summary>Copies <c>dst.Length</c> floats from <paramref name="src"/> at <paramref name="offset"/> back to the host, after the device's queued work.</summary>
    public abstract void Download(DeviceMemory src, long offset, Span<float> dst);

    /// <summary>Sets the first <paramref name="length"/> floats of <paramref name="dst"/> to <paramref name="value"/>.</summary>
    public abstract void Fill(DeviceMemory dst, long length, float value);

    /// <summary>dst written through <paramref name="dstLayout"/> = src read through <paramref name="srcLayout"/> (both of <c>dstLayout.Sizes</c>, strides already broadcast).</summary>
    public abstract void Copy(DeviceMemory dst, DeviceLayout dstLayout, DeviceMemory src, DeviceLayout srcLayout);

    /// <summary>r (contiguous, of <paramref name="shape"/>) = op(a, b), each operand read through strides already broadcast to <paramref name="shape"/> (0 where it repeats).</summary>
    public abstract void Binary(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB);

    /// <summary>r[0..n) = op(x[offset..offset + n)).</summary>
    public abstract void Unary(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n);

    /// <summary>d[0..n) = g[offsetG + i] where y[offsetY + i] &gt; 0, else 0 (ReLU's backward from its output).</summary>
    public abstract void ReluBackward(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n);

    /// <summary>r (m×n, row-major) = a (m×k) · b (k×n), each read through its offset and row and column strides.</summary>
    public abstract void MatMul(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k);

    /// <summary>r[o, i] = Σ_j x[offset + (o·n + j)·inner + i]: the sum over the middle of a contiguous (outer, n, inner) block.</summary>
    public abstract void Sum(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner);

    /// <summary>y = softmax (or log-softmax) of each of <paramref name="rows"/> contiguous rows of <paramref name="n"/> in x from <paramref name="offsetX"/>.</summary>
    public abstract void Softmax(DeviceMemory y, DeviceMemory x, int offsetX, int rows, int n, bool log);

    /// <summary>The input gradient of <see cref="Softmax"/> from its output y and the output gradient g (contiguous from <paramref name="offsetG"/>).</summary>
    public abstract void SoftmaxBackward(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory y, int rows, int n, bool log);

    /// <summary>y = conv2d(x, w) + bias for the geometry <paramref name="s"/>; every operand contiguous from its first element.</summary>
    public abstract void ConvForward(DeviceMemory y, DeviceMemory x, DeviceMemory w, DeviceMemory? bias, Conv2dGeometry s);

    /// <summary>dx = the input gradient of the convolution for dy, overwritten.</summary>
    public abstract void ConvInputGrad(DeviceMemory dx, DeviceMemory dy, DeviceMemory w, Conv2dGeometry s);

    /// <summary>dw = the weight gradient of the convolution for dy and x, overwritten.</summary>
    public abstract void ConvWeightGrad(DeviceMemory dw, DeviceMemory dy, DeviceMemory x, Conv2dGeometry s);

    /// <summary>
    /// Batch norm of x (N, C, L) per channel into y (ReLU'd when <paramref name="relu"/>), writing the mean and 1/std it
    /// used (C each); gamma and beta both or neither; in training the running statistics (when given) are updated in place.
    /// </summary>
    public abstract void BatchNormForward(DeviceMemory y, DeviceMemory x, DeviceMemory? gamma, DeviceMemory? beta, DeviceMemory? runningMean,
        DeviceMemory? runningVar, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, float momentum, float eps, bool relu);

    /// <summary>Batch norm's gradients: dx always, dgamma and dbeta with an affine transform (dy masked where y ≤ 0 when <paramref name="relu"/>).</summary>
    public abstract void BatchNormBackward(DeviceMemory dx, DeviceMemory? dgamma, DeviceMemory? dbeta, DeviceMemory dy, DeviceMemory x, DeviceMemory y,
        DeviceMemory? gamma, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, bool relu);

    /// <summary>
    /// Max or average pooling of x (planes, H, W) into y (planes, OH, OW); the max writes each output's argmax
    /// (h·W + w, stored as int32 in <paramref name="argmax"/>'s memory) for the backward pass.
    /// </summary>
    public abstract void PoolForward(DeviceMemory y, DeviceMemory argmax, DeviceMemory x, Pool2dGeometry s, bool max, bool countIncludePad);

    /// <summary>The pool's input gradient, overwritten; <paramref name="counts"/> holds each output position's divisor (OH·OW) for the average.</summary>
    public abstract void PoolBackward(DeviceMemory dx, DeviceMemory dy, DeviceMemory argmax, DeviceMemory counts, Pool2dGeometry s, bool max);

    /// <summary>fastai's SGD on w[0..n): w ·= 1 - lr·wd; with momentum avg = mom·avg + g and w -= lr·avg, else w -= lr·g (g contiguous from <paramref name="offsetG"/>).</summary>
    public abstract void SgdStep(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory? avg, float lr, float mom, float wd, int n);

    /// <summary>fastai's Adam on w[0..n) with its moving averages (the CPU's AdamKernel, operation for operation).</summary>
    public abstract void AdamStep(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory avg, DeviceMemory sqr, float decay, float mom, float sqrMom, float stepSize, float invDebias2, float eps, int n);

    /// <summary>Buffers whose tensors are gone but which wait for the device to finish its queued work before being freed.</summary>
    public virtual int PendingReleases => 0;

    /// <summary>Names the op and device when a backend cannot run an op; the message says how to go on.</summary>
    public NotSupportedException Unsupported(string op) =>
        new($"{op} does not run on {Device} yet: SharpGrad's device backend covers copies, elementwise ops, MatMul and sums so far. Move the tensors with .To(Device.Cpu) for this step.");

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
