using ILGPU;
using ILGPU.Runtime;
using SharpGrad.Kernels;

namespace SharpGrad.Cuda;

/// <summary>
/// SharpGrad's tensors on a CUDA device (issue 16): the backend behind <c>tensor.To(Device.Cuda())</c>. Referencing this
/// package is all an application does: the core finds it the first time a CUDA device is asked for, and opens the GPU
/// then. <see cref="UseSimulator"/> puts ILGPU's CPU simulator behind a CUDA device instead, to run device code (slowly)
/// on a machine without a GPU, as the tests do.
/// </summary>
public static class CudaBackend
{
    /// <summary>Set to 1, CUDA devices run on ILGPU's CPU simulator in this process (as <see cref="UseSimulator"/>): for trying device code, and the tests of command-line tools, without a GPU.</summary>
    public const string SimulatorVariable = "SHARPGRAD_CUDA_SIMULATOR";

    static CudaBackend() => DeviceBackend.RegisterKind(DeviceKind.Cuda, index => Environment.GetEnvironmentVariable(SimulatorVariable) == "1"
        ? new Backend(GpuDevice.Simulator(), Device.Cuda(index))
        : new Backend(GpuDevice.Cuda(index), Device.Cuda(index)));

    /// <summary>
    /// Opens <paramref name="device"/>'s backend now, or says why it cannot be used (no driver, no such device, or the
    /// package's kernels failed to load): what <c>--device cuda</c> and <c>--device auto</c> check before training.
    /// </summary>
    public static bool TryOpen(Device device, out string? reason)
    {
        try
        {
            DeviceBackend.For(device);
            reason = null;
            return true;
        }
        catch (Exception e) when (e is DeviceUnavailableException or InvalidOperationException)
        {
            reason = e.Message;
            return false;
        }
    }

    private static readonly HashSet<int> s_simulated = [];

    /// <summary>
    /// Makes <c>Device.Cuda(<paramref name="index"/>)</c> run on ILGPU's CPU simulator from now on (tensors already on
    /// the GPU keep their memory). Calling it again changes nothing: the simulator already open stays.
    /// </summary>
    public static void UseSimulator(int index = 0)
    {
        lock (s_simulated)
        {
            if (!s_simulated.Add(index)) return;
            DeviceBackend.Register(Device.Cuda(index), () => new Backend(GpuDevice.Simulator(), Device.Cuda(index)));
        }
    }

    /// <summary>Makes <c>Device.Cuda(<paramref name="index"/>)</c> open the GPU again (undoes <see cref="UseSimulator"/>).</summary>
    public static void UseGpu(int index = 0)
    {
        lock (s_simulated)
        {
            s_simulated.Remove(index);
            DeviceBackend.Register(Device.Cuda(index), () => new Backend(GpuDevice.Cuda(index), Device.Cuda(index)));
        }
    }

    /// <summary>
    /// Device memory behind a tensor. When the last tensor using it is collected its buffer is handed back to the
    /// backend, which frees it only after the device has finished the work queued so far: launches are asynchronous,
    /// so a kernel may still be reading memory whose last tensor is already gone (freeing it at once crashed the
    /// simulator's kernels in the tests, and would be a use-after-free on a GPU).
    /// </summary>
    private sealed class Memory(Backend backend, MemoryBuffer1D<float, Stride1D.Dense> buffer) : DeviceMemory
    {
        private readonly Backend _backend = backend;

        public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = buffer;

        public override DeviceBackend Backend => _backend;

        public override long Length => Buffer.Length;

        public ArrayView<float> View => Buffer.View;

        private int _freed;

        public override void Free()
        {
            if (Interlocked.Exchange(ref _freed, 1) != 0) return;
            GC.SuppressFinalize(this);
            _backend.Release(Buffer);
        }

        ~Memory()
        {
            if (Interlocked.Exchange(ref _freed, 1) == 0) _backend.Release(Buffer);
        }
    }

    private sealed class Backend(GpuDevice gpu, Device device) : DeviceBackend
    {
        /// <summary>Released buffers (see <see cref="Memory"/>) are freed in batches of this many, after a synchronisation.</summary>
        private const int ReleaseBatch = 256;

        private readonly GpuTensorKernels _tensor = new(gpu.Accelerator);
        private readonly System.Collections.Concurrent.ConcurrentQueue<MemoryBuffer1D<float, Stride1D.Dense>> _released = new();

        public override Device Device { get; } = device;

        private static ArrayView<float> V(DeviceMemory m) => ((Memory)m).View;

        public override int PendingReleases => _released.Count;

        /// <summary>Takes a buffer whose last tensor is gone (from the finalizer thread); it is freed after the next synchronisation.</summary>
        public void Release(MemoryBuffer1D<float, Stride1D.Dense> buffer) => _released.Enqueue(buffer);

        protected override void SynchronizeCore() => Synchronize();

        /// <summary>Waits for the device, then frees the buffers released before the wait began (their last launches were queued before it).</summary>
        private void Synchronize()
        {
            int ready = _released.Count;
            gpu.Synchronize();
            for (int i = 0; i < ready && _released.TryDequeue(out MemoryBuffer1D<float, Stride1D.Dense>? b); i++) b.Dispose();
        }

        public override DeviceMemory Allocate(long length)
        {
            if (_released.Count >= ReleaseBatch) Synchronize();
            try
            {
                return new Memory(this, gpu.Accelerator.Allocate1D<float>(length));
            }
            catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
            {
                // Memory held by tensors nobody references yet: collect them, free their buffers, and try once more.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Synchronize();
                try
                {
                    return new Memory(this, gpu.Accelerator.Allocate1D<float>(length));
                }
                catch (Exception again) when (again is OutOfMemoryException or AcceleratorException)
                {
                    throw new InvalidOperationException($"{Device} is out of memory: {length * 4:N0} bytes requested of {gpu.MemoryBytes:N0} ({again.Message}).", again);
                }
            }
        }

        protected override void UploadCore(DeviceMemory dst, ReadOnlySpan<float> src) => V(dst).SubView(0, src.Length).CopyFromCPU(src.ToArray());

        protected override void DownloadCore(DeviceMemory src, long offset, Span<float> dst)
        {
            Synchronize();
            var host = new float[dst.Length];
            V(src).SubView(offset, dst.Length).CopyToCPU(host);
            host.CopyTo(dst);
        }

        protected override void FillCore(DeviceMemory dst, long length, float value) => _tensor.Fill(V(dst), value, checked((int)length));

        protected override void CopyCore(DeviceMemory dst, DeviceLayout dstLayout, DeviceMemory src, DeviceLayout srcLayout) =>
            _tensor.Copy(V(dst), Strides6.Of(dstLayout.Sizes, dstLayout.Strides, dstLayout.Offset), V(src),
                Strides6.Of(srcLayout.Sizes, srcLayout.Strides, srcLayout.Offset), ShapeMath.Numel(dstLayout.Sizes));

        protected override void BinaryCore(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB) =>
            _tensor.Binary(V(r), V(a), Strides6.Of(shape, stridesA, offsetA), V(b), Strides6.Of(shape, stridesB, offsetB), (int)op, ShapeMath.Numel(shape));

        protected override void UnaryCore(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n)
        {
            GpuUnary u = op switch
            {
                UnaryOp.Neg => GpuUnary.Neg, UnaryOp.Exp => GpuUnary.Exp, UnaryOp.Log => GpuUnary.Log, UnaryOp.Sqrt => GpuUnary.Sqrt,
                UnaryOp.Abs => GpuUnary.Abs, UnaryOp.Sigmoid => GpuUnary.Sigmoid, UnaryOp.Tanh => GpuUnary.Tanh, UnaryOp.Relu => GpuUnary.Relu,
                UnaryOp.Square => GpuUnary.Square, UnaryOp.Reciprocal => GpuUnary.Reciprocal, UnaryOp.Sign => GpuUnary.Sign,
                _ => throw Unsupported(op.ToString()),
            };
            gpu.Kernels.Unary(u, V(r).SubView(0, n), V(x).SubView(offset, n));
        }

        protected override void ReluBackwardCore(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n) =>
            gpu.Kernels.ReluBackward(V(d).SubView(0, n), V(y).SubView(offsetY, n), V(g).SubView(offsetG, n));

        protected override void MatMulCore(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k)
        {
            ArrayView<float> va = V(a), vb = V(b);
            gpu.Kernels.Gemm(V(r), va.SubView(offsetA, va.Length - offsetA), rsA, csA, vb.SubView(offsetB, vb.Length - offsetB), rsB, csB, m, n, k);
        }

        protected override void SgdStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory? avg, float lr, float mom, float wd, int n) =>
            gpu.Kernels.SgdStep(V(w).SubView(0, n), V(g).SubView(offsetG, n), avg is null ? V(w).SubView(0, n) : V(avg).SubView(0, n), lr, mom, wd);

        protected override void AdamStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory avg, DeviceMemory sqr, float decay, float mom, float sqrMom, float stepSize, float invDebias2, float eps, int n) =>
            gpu.Kernels.AdamStep(V(w).SubView(0, n), V(g).SubView(offsetG, n), V(avg).SubView(0, n), V(sqr).SubView(0, n), new AdamScalars(decay, mom, sqrMom, stepSize, invDebias2, eps));

        private static ConvShape Shape(Conv2dGeometry s) =>
            new(s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, s.StrideH, s.StrideW, s.PadH, s.PadW, s.DilH, s.DilW, s.Groups, s.OH, s.OW);

        protected override void ConvForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory w, DeviceMemory? bias, Conv2dGeometry s) =>
            gpu.Kernels.ConvForward(V(y), V(x), V(w), bias is null ? null : V(bias), Shape(s));

        protected override void ConvInputGradCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory w, Conv2dGeometry s) =>
            gpu.Kernels.ConvInputGrad(V(dx), V(dy), V(w), Shape(s));

        protected override void ConvWeightGradCore(DeviceMemory dw, DeviceMemory dy, DeviceMemory x, Conv2dGeometry s) =>
            gpu.Kernels.ConvWeightGrad(V(dw), V(dy), V(x), Shape(s));

        private static ArrayView<float>? O(DeviceMemory? m) => m is null ? null : V(m);

        protected override void BatchNormForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory? gamma, DeviceMemory? beta, DeviceMemory? runningMean,
            DeviceMemory? runningVar, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, float momentum, float eps, bool relu) =>
            gpu.Kernels.BatchNormForward(V(y), V(x), O(gamma), O(beta), O(runningMean), O(runningVar), V(mean), V(invstd),
                new NormShape(n, c, l, training ? 1 : 0, momentum, eps, gamma is null ? 0 : 1, runningMean is null ? 0 : 1, relu ? 1 : 0));

        protected override void BatchNormBackwardCore(DeviceMemory dx, DeviceMemory? dgamma, DeviceMemory? dbeta, DeviceMemory dy, DeviceMemory x, DeviceMemory y,
            DeviceMemory? gamma, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, bool relu) =>
            gpu.Kernels.BatchNormBackward(V(dx), O(dgamma), O(dbeta), V(dy), V(x), V(y), O(gamma), V(mean), V(invstd),
                new NormShape(n, c, l, training ? 1 : 0, 0f, 0f, gamma is null ? 0 : 1, 0, relu ? 1 : 0));

        private static PoolShape Shape(Pool2dGeometry s, bool countIncludePad) =>
            new(s.Planes, s.H, s.W, s.KH, s.KW, s.StrideH, s.StrideW, s.PadH, s.PadW, s.OH, s.OW, countIncludePad ? 1 : 0);

        protected override void PoolForwardCore(DeviceMemory y, DeviceMemory argmax, DeviceMemory x, Pool2dGeometry s, bool max, bool countIncludePad) =>
            gpu.Kernels.PoolForward(V(y), V(argmax).Cast<int>(), V(x), Shape(s, countIncludePad), max);

        protected override void PoolBackwardCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory argmax, DeviceMemory counts, Pool2dGeometry s, bool max) =>
            gpu.Kernels.PoolBackward(V(dx), V(dy), V(argmax).Cast<int>(), V(counts), Shape(s, false), max);

        protected override void SoftmaxCore(DeviceMemory y, DeviceMemory x, int offsetX, int rows, int n, bool log) =>
            gpu.Kernels.SoftmaxRows(V(y).SubView(0, (long)rows * n), V(x).SubView(offsetX, (long)rows * n), rows, n, log);

        protected override void SoftmaxBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory y, int rows, int n, bool log) =>
            _tensor.SoftmaxBackward(V(dx).SubView(0, (long)rows * n), V(g).SubView(offsetG, (long)rows * n), V(y).SubView(0, (long)rows * n), rows, n, log);

        protected override void MaxMinCore(DeviceMemory values, DeviceMemory argmax, DeviceMemory x, int offset, int outer, int n, int inner, bool max) =>
            _tensor.MaxMin(V(values), V(argmax).Cast<int>(), V(x), offset, outer, n, inner, max);

        protected override void MaxMinBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory argmax, int outer, int n, int inner) =>
            _tensor.MaxMinBackward(V(dx), V(g), offsetG, V(argmax).Cast<int>(), outer, n, inner);

        /// <summary>Sums with fewer outputs than this split their middle dim into chunks first, so the device has enough threads.</summary>
        private const int FewOutputs = 16384;

        /// <summary>Elements per chunk (one thread each) of a split sum.</summary>
        private const int SumChunk = 256;

        protected override void SumCore(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner)
        {
            // One thread per output summing in order is the whole job for a bias gradient (many outputs); a loss or a
            // global sum (one output, n large) would run on one thread, so it is cut into chunks summed in parallel,
            // then the partial sums summed the same way until few remain. Fixed order: deterministic.
            DeviceMemory? partial = null;
            while ((long)outer * inner < FewOutputs && n > 4 * SumChunk)
            {
                int chunks = (n + SumChunk - 1) / SumChunk;
                DeviceMemory next = Allocate((long)outer * chunks * inner);
                _tensor.SumChunks(V(next), V(x), offset, outer, n, inner, SumChunk);
                partial?.Free(); // freed after the device's queued work, which includes the launch that reads it
                (partial, x, offset, n) = (next, next, 0, chunks);
            }
            _tensor.Sum(V(r), V(x), offset, outer, n, inner);
            partial?.Free();
        }
    }
}
