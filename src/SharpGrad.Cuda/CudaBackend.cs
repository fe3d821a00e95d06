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
    static CudaBackend() => DeviceBackend.RegisterKind(DeviceKind.Cuda, index => new Backend(GpuDevice.Cuda(index), Device.Cuda(index)));

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

    /// <summary>Device memory behind a tensor, freed by the GC with the last tensor that uses it.</summary>
    private sealed class Memory(Backend backend, MemoryBuffer1D<float, Stride1D.Dense> buffer) : DeviceMemory
    {
        public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = buffer;

        public override DeviceBackend Backend { get; } = backend;

        public override long Length => Buffer.Length;

        public ArrayView<float> View => Buffer.View;

        ~Memory()
        {
            try
            {
                Buffer.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // The accelerator went first (its context freed the memory).
            }
        }
    }

    private sealed class Backend(GpuDevice gpu, Device device) : DeviceBackend
    {
        private readonly GpuTensorKernels _tensor = new(gpu.Accelerator);

        public override Device Device { get; } = device;

        private static ArrayView<float> V(DeviceMemory m) => ((Memory)m).View;

        public override DeviceMemory Allocate(long length) => new Memory(this, gpu.Accelerator.Allocate1D<float>(length));

        public override void Upload(DeviceMemory dst, ReadOnlySpan<float> src) => V(dst).SubView(0, src.Length).CopyFromCPU(src.ToArray());

        public override void Download(DeviceMemory src, long offset, Span<float> dst)
        {
            gpu.Synchronize();
            var host = new float[dst.Length];
            V(src).SubView(offset, dst.Length).CopyToCPU(host);
            host.CopyTo(dst);
        }

        public override void Fill(DeviceMemory dst, long length, float value) => _tensor.Fill(V(dst), value, checked((int)length));

        public override void Copy(DeviceMemory dst, DeviceMemory src, DeviceLayout layout) =>
            _tensor.Copy(V(dst), V(src), Strides6.Of(layout.Sizes, layout.Strides, layout.Offset), ShapeMath.Numel(layout.Sizes));

        public override void Binary(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB) =>
            _tensor.Binary(V(r), V(a), Strides6.Of(shape, stridesA, offsetA), V(b), Strides6.Of(shape, stridesB, offsetB), (int)op, ShapeMath.Numel(shape));

        public override void Unary(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n)
        {
            GpuUnary u = op switch
            {
                UnaryOp.Neg => GpuUnary.Neg, UnaryOp.Exp => GpuUnary.Exp, UnaryOp.Log => GpuUnary.Log, UnaryOp.Sqrt => GpuUnary.Sqrt,
                UnaryOp.Abs => GpuUnary.Abs, UnaryOp.Sigmoid => GpuUnary.Sigmoid, UnaryOp.Tanh => GpuUnary.Tanh, UnaryOp.Relu => GpuUnary.Relu,
                UnaryOp.Square => GpuUnary.Square,
                _ => throw Unsupported(op.ToString()),
            };
            gpu.Kernels.Unary(u, V(r).SubView(0, n), V(x).SubView(offset, n));
        }

        public override void ReluBackward(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n) =>
            gpu.Kernels.ReluBackward(V(d).SubView(0, n), V(y).SubView(offsetY, n), V(g).SubView(offsetG, n));

        public override void MatMul(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k)
        {
            ArrayView<float> va = V(a), vb = V(b);
            gpu.Kernels.Gemm(V(r), va.SubView(offsetA, va.Length - offsetA), rsA, csA, vb.SubView(offsetB, vb.Length - offsetB), rsB, csB, m, n, k);
        }

        public override void Sum(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner) => _tensor.Sum(V(r), V(x), offset, outer, n, inner);
    }
}
