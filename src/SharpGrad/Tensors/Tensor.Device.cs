using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>Where this tensor's memory lives (PyTorch's <c>tensor.device</c>).</summary>
    public Device Device => Storage is DeviceMemory[] m ? m[0].Backend.Device : Device.Cpu;

    /// <summary>Whether this tensor lives on a device other than the CPU.</summary>
    public bool IsOnDevice => Storage is DeviceMemory[];

    /// <summary>The device memory of a device tensor.</summary>
    internal DeviceMemory Memory => Storage is DeviceMemory[] m ? m[0] : throw new InvalidOperationException("Internal error: Memory of a CPU tensor.");

    /// <summary>
    /// This tensor on <paramref name="device"/> (PyTorch's <c>tensor.to(device)</c>): itself when it is already there,
    /// else a contiguous copy there, differentiable (the gradient comes back to this device).
    /// </summary>
    /// <exception cref="NotSupportedException">A tensor that is not float32 (only float tensors live on devices so far).</exception>
    /// <exception cref="InvalidOperationException">No backend for the device (the message names the package).</exception>
    public Tensor To(Device device)
    {
        Device from = Device;
        if (device == from) return this;
        if (DType != DType.Float32)
            throw new NotSupportedException($"To({device}): only float32 tensors move to a device so far, this one is {DType.TorchName()}.");
        Tensor r;
        if (device.IsCpu) r = Download();
        else
        {
            Tensor host = from.IsCpu ? Contiguous() : Download();
            DeviceBackend backend = DeviceBackend.For(device);
            r = OnDevice(backend, host.Sizes);
            if (r.Numel > 0) backend.Upload(r.Memory, host);
        }
        return Record(r, OpKind.ToDevice, this, g => g.To(from));
    }

    /// <summary>
    /// Moves this float tensor's memory to <paramref name="device"/> in place, keeping the tensor object (what
    /// <c>Module.To</c> does to parameters and buffers); its gradient moves too. Unrecorded.
    /// </summary>
    /// <exception cref="InvalidOperationException">A view (not contiguous from the start of its own storage): move the tensor it views instead.</exception>
    internal void MoveTo(Device device)
    {
        if (Device == device || DType != DType.Float32) return;
        bool whole = IsContiguous && Offset == 0 && (IsOnDevice || Storage.Length == Numel);
        if (!whole) throw new InvalidOperationException($"A tensor of shape {Shape} that views part of a larger one cannot be moved to {device} in place; move the tensor it views.");
        Storage = Detach().To(device).Storage;
        TensorScope.Keep(Storage); // a parameter outlives any scope it is moved in
        if (Grad is not null) Grad = Grad.Detach().To(device).Keep();
    }

    /// <summary>A new contiguous float tensor of <paramref name="sizes"/> on the backend's device, contents unspecified.</summary>
    internal static Tensor OnDevice(DeviceBackend backend, int[] sizes)
    {
        int[] s = sizes.ToArray();
        ShapeMath.CheckSizes(s);
        DeviceMemory[] storage = [backend.Allocate(Math.Max(ShapeMath.Numel(s), 1))];
        TensorScope.Own(storage, DType.Float32); // inside a scope, freed when it ends, as CPU tensors go back to the pool
        return new Tensor(storage, s, DType.Float32);
    }

    /// <summary>A CPU copy of a device tensor's elements, contiguous (unrecorded).</summary>
    private Tensor Download()
    {
        Tensor src = IsContiguous ? this : CloneUnrecorded();
        var data = new float[Numel];
        if (Numel > 0) src.Memory.Backend.Download(src.Memory, src.Offset, data);
        return new Tensor(data, Sizes.ToArray(), DType.Float32);
    }

    /// <summary>A device tensor contiguous from the start of its own memory, as the kernels read it (a copy only when it is an offset or strided view); unrecorded.</summary>
    internal static Tensor DenseOnDevice(Tensor t)
    {
        Tensor d = t.Detach();
        return d.IsContiguous && d.Offset == 0 ? d : d.CloneUnrecorded();
    }

    /// <summary>The backend both operands live on, or null when both are on the CPU.</summary>
    /// <exception cref="InvalidOperationException">They live on different devices; the message names both.</exception>
    private static DeviceBackend? BackendOf(ref Tensor a, ref Tensor b, string op)
    {
        bool da = a.IsOnDevice, db = b.IsOnDevice;
        if (!da && !db) return null;
        // A 0-d CPU tensor (a Python number in PyTorch; our scalar operands) goes along to the other's device, as in PyTorch.
        if (!da && a.NDim == 0 && a.DType == DType.Float32) a = a.Detach().To(b.Device);
        if (!db && b.NDim == 0 && b.DType == DType.Float32) b = b.Detach().To(a.Device);
        Device x = a.Device, y = b.Device;
        if (x != y)
            throw new InvalidOperationException($"{op}: the operands are on different devices, {x} and {y}. Move one with .To({(x.IsCpu ? y : x)}) (or both to the CPU) first.");
        return a.Memory.Backend;
    }

    private static InvalidOperationException OnDeviceError(Array storage) =>
        new($"This tensor is on {((DeviceMemory[])storage)[0].Backend.Device}, and the operation asked of it runs only on the CPU so far. " +
            "Move it with .To(Device.Cpu) first.");

    /// <summary>A new float tensor shaped like device tensor <paramref name="like"/>, on its device, every element <paramref name="value"/>.</summary>
    private static Tensor FilledOn(Tensor like, float value)
    {
        DeviceBackend backend = like.Memory.Backend;
        Tensor r = OnDevice(backend, like.Sizes);
        if (r.Numel > 0) backend.Fill(r.Memory, r.Numel, value);
        return r;
    }

    // ---- device forms of the ops (float32, called by the ops once an operand is on a device) ----

    private static Tensor DeviceBinary(DeviceBackend backend, BinaryOp op, Tensor a, Tensor b, string name)
    {
        if (a.DType != DType.Float32 || b.DType != DType.Float32)
            throw new NotSupportedException($"{name} on {backend.Device}: both operands must be float32, got {a.DType.TorchName()} and {b.DType.TorchName()}.");
        int[] shape = ShapeMath.Broadcast(a.Sizes, b.Sizes, name);
        Tensor r = OnDevice(backend, shape);
        if (r.Numel == 0) return r;
        backend.Binary(op, r.Memory, shape, a.Memory, ShapeMath.BroadcastStrides(a.Sizes, a.Strides, shape), a.Offset,
                       b.Memory, ShapeMath.BroadcastStrides(b.Sizes, b.Strides, shape), b.Offset);
        return r;
    }

    private Tensor DeviceUnary(UnaryOp op)
    {
        Tensor src = Contiguous();
        DeviceBackend backend = src.Memory.Backend;
        Tensor r = OnDevice(backend, Sizes);
        if (r.Numel > 0) backend.Unary(op, r.Memory, src.Memory, src.Offset, src.Numel);
        return r;
    }

    /// <summary>ReLU's backward from its output: g where r &gt; 0, else 0.</summary>
    private static Tensor DeviceReluBackward(Tensor g, Tensor r)
    {
        DeviceBackend backend = r.Memory.Backend;
        if (g.Device != r.Device) throw new InvalidOperationException($"Relu backward: the gradient is on {g.Device}, the output on {r.Device}.");
        Tensor gc = g.Contiguous(), d = OnDevice(backend, r.Sizes);
        if (d.Numel > 0) backend.ReluBackward(d.Memory, r.Memory, r.Offset, gc.Memory, gc.Offset, d.Numel);
        return d;
    }

    private static Tensor DeviceMatMul(DeviceBackend backend, Tensor a, Tensor b)
    {
        if (a.NDim != 2 || b.NDim != 2) throw backend.Unsupported($"MatMul of shapes {a.Shape} and {b.Shape} (only 2-D operands so far)");
        int m = a.Sizes[0], k = a.Sizes[1], n = b.Sizes[1];
        Tensor r = OnDevice(backend, [m, n]);
        if (r.Numel > 0)
            backend.MatMul(r.Memory, a.Memory, a.Offset, a.Strides[0], a.Strides[1], b.Memory, b.Offset, b.Strides[0], b.Strides[1], m, n, k);
        return r;
    }

    private static Tensor DeviceSum(Tensor block, int[] shape, int outer, int n, int inner)
    {
        DeviceBackend backend = block.Memory.Backend;
        Tensor r = OnDevice(backend, shape);
        if (r.Numel > 0) backend.Sum(r.Memory, block.Memory, block.Offset, outer, n, inner);
        return r;
    }

    private static void DeviceCopy(Tensor dst, Tensor src)
    {
        if (dst.DType != DType.Float32) throw new NotSupportedException($"Copy on {dst.Device}: only float32 tensors so far.");
        if (src.Device != dst.Device) throw new InvalidOperationException($"Copy: the source is on {src.Device} and the destination on {dst.Device}; use To() to move it.");
        if (dst.Numel == 0) return;
        dst.Memory.Backend.Copy(dst.Memory, DeviceLayout.Of(dst), src.Memory, DeviceLayout.Of(src) with { Sizes = dst.Sizes });
    }
}
