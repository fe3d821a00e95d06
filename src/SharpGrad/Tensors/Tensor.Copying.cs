using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>This tensor if it is already contiguous, else a contiguous copy (differentiable).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy with its own storage (differentiable).</summary>
    public Tensor Clone() => Record(CloneUnrecorded(), OpKind.Clone, this, g => g);

    /// <summary>dst = src elementwise (same shape and dtype); dst may be a view. Recorded during a capture.</summary>
    private static void CopyElements(Tensor dst, Tensor src)
    {
        CopyUnrecorded(dst, src);
        CapturedGraph.Record(dst, (dst, src), static s => CopyUnrecorded(s.dst, s.src));
    }

    private static void CopyUnrecorded(Tensor dst, Tensor src)
    {
        if (dst.IsOnDevice || src.IsOnDevice)
        {
            DeviceCopy(dst, src);
            return;
        }
        if (TryTransposeCopy(dst, src)) return;
        switch (dst.DType)
        {
            case DType.Float32: StridedCopy.Copy(dst.StorageSpan<float>(), dst.Strides, dst.Offset, src.StorageSpan<float>(), src.Strides, src.Offset, dst.Sizes); break;
            case DType.Int64: StridedCopy.Copy(dst.StorageSpan<long>(), dst.Strides, dst.Offset, src.StorageSpan<long>(), src.Strides, src.Offset, dst.Sizes); break;
            case DType.Bool: StridedCopy.Copy(dst.StorageSpan<bool>(), dst.Strides, dst.Offset, src.StorageSpan<bool>(), src.Strides, src.Offset, dst.Sizes); break;
            case DType.UInt8: StridedCopy.Copy(dst.StorageSpan<byte>(), dst.Strides, dst.Offset, src.StorageSpan<byte>(), src.Strides, src.Offset, dst.Sizes); break;
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> (broadcast to this shape, converted to this dtype) into this tensor's storage,
    /// in place and unrecorded (PyTorch's <c>copy_</c> under <c>no_grad</c>). Views of this storage see the change.
    /// </summary>
    public Tensor CopyFrom(Tensor source)
    {
        Tensor src = source.DType == DType ? source : source.Detach().To(Device.Cpu).To(DType);
        if (src.Device != Device) src = src.Detach().To(Device); // e.g. loading saved weights into a model on a device
        int[] target = ShapeMath.Broadcast(Sizes, src.Sizes, "CopyFrom");
        if (!target.AsSpan().SequenceEqual(Sizes))
            throw new ArgumentException($"CopyFrom: a source of shape {src.Shape} does not fit a destination of shape {Shape}.");
        var expanded = new Tensor(src.Storage, Sizes, ShapeMath.BroadcastStrides(src.Sizes, src.Strides, Sizes), src.Offset, DType);
        if (SharesStorageWith(src)) expanded = expanded.Detach().CloneUnrecorded();
        CopyElements(this, expanded);
        return this;
    }

    private Tensor CloneUnrecorded()
    {
        Tensor r = IsOnDevice ? OnDevice(Memory.Backend, Sizes) : Uninitialized(Sizes, DType);
        CopyElements(r, this);
        return r;
    }

    /// <summary>Converts to <paramref name="dtype"/> (a copy; this tensor itself when the dtype already matches).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        if (IsOnDevice) throw Memory.Backend.Unsupported($"Converting to {dtype.TorchName()}");
        Tensor src = Contiguous();
        Tensor r = Uninitialized(Sizes, dtype);
        Convert(src, r);
        CapturedGraph.Record(r, (src, r), static s => Convert(s.src, s.r));
        if (OpTrace.IsActive) OpTrace.Report(OpKind.Cast, r, [this], new OpAttributes.Cast(dtype));
        return r;
    }

    /// <summary>Converts to float32 (PyTorch's <c>.float()</c>).</summary>
    public Tensor Float() => To(DType.Float32);

    /// <summary>Converts to int64, truncating floats toward zero (PyTorch's <c>.long()</c>).</summary>
    public Tensor Long() => To(DType.Int64);

    /// <summary>Converts to bool: non-zero is true (PyTorch's <c>.bool()</c>).</summary>
    public Tensor Bool() => To(DType.Bool);

    /// <summary>Converts to uint8 (PyTorch's <c>.byte()</c>).</summary>
    public Tensor Byte() => To(DType.UInt8);

    private static void Convert(Tensor src, Tensor dst)
    {
        int n = src.Numel;
        switch (src.DType, dst.DType)
        {
            case (DType.Float32, DType.Int64): { var s = src.Contents<float>(); var d = dst.Contents<long>(); for (int i = 0; i < n; i++) d[i] = (long)s[i]; break; }
            case (DType.Float32, DType.Bool): { var s = src.Contents<float>(); var d = dst.Contents<bool>(); for (int i = 0; i < n; i++) d[i] = s[i] != 0; break; }
            case (DType.Float32, DType.UInt8): { var s = src.Contents<float>(); var d = dst.Contents<byte>(); for (int i = 0; i < n; i++) d[i] = unchecked((byte)(int)s[i]); break; }
            case (DType.Int64, DType.Float32): { var s = src.Contents<long>(); var d = dst.Contents<float>(); for (int i = 0; i < n; i++) d[i] = s[i]; break; }
            case (DType.Int64, DType.Bool): { var s = src.Contents<long>(); var d = dst.Contents<bool>(); for (int i = 0; i < n; i++) d[i] = s[i] != 0; break; }
            case (DType.Int64, DType.UInt8): { var s = src.Contents<long>(); var d = dst.Contents<byte>(); for (int i = 0; i < n; i++) d[i] = unchecked((byte)s[i]); break; }
            case (DType.Bool, DType.Float32): { var s = src.Contents<bool>(); var d = dst.Contents<float>(); for (int i = 0; i < n; i++) d[i] = s[i] ? 1f : 0f; break; }
            case (DType.Bool, DType.Int64): { var s = src.Contents<bool>(); var d = dst.Contents<long>(); for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; break; }
            case (DType.Bool, DType.UInt8): { var s = src.Contents<bool>(); var d = dst.Contents<byte>(); for (int i = 0; i < n; i++) d[i] = s[i] ? (byte)1 : (byte)0; break; }
            case (DType.UInt8, DType.Float32): System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(src.Contents<byte>(), dst.Contents<float>()); break;
            case (DType.UInt8, DType.Int64): { var s = src.Contents<byte>(); var d = dst.Contents<long>(); for (int i = 0; i < n; i++) d[i] = s[i]; break; }
            case (DType.UInt8, DType.Bool): { var s = src.Contents<byte>(); var d = dst.Contents<bool>(); for (int i = 0; i < n; i++) d[i] = s[i] != 0; break; }
            default: throw new InvalidOperationException($"No conversion from {src.DType} to {dst.DType}.");
        }
    }
}
