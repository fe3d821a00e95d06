namespace SharpGrad;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>32-bit float: the type all differentiable compute uses.</summary>
    Float32,
    /// <summary>64-bit integer: labels and indices.</summary>
    Int64,
    /// <summary>Boolean: masks and comparison results.</summary>
    Bool,
    /// <summary>Unsigned byte: raw image pixels.</summary>
    UInt8,
}

/// <summary>Helpers over <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>The name PyTorch prints for this dtype, e.g. <c>torch.int64</c>.</summary>
    public static string TorchName(this DType dtype) => dtype switch
    {
        DType.Float32 => "torch.float32",
        DType.Int64 => "torch.int64",
        DType.Bool => "torch.bool",
        DType.UInt8 => "torch.uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    internal static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Int64 => typeof(long),
        DType.Bool => typeof(bool),
        DType.UInt8 => typeof(byte),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    internal static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(long) ? DType.Int64 :
        typeof(T) == typeof(bool) ? DType.Bool :
        typeof(T) == typeof(byte) ? DType.UInt8 :
        throw new NotSupportedException($"No tensor dtype for {typeof(T).Name}.");

    /// <summary>Bytes per element.</summary>
    internal static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Int64 => 8,
        DType.Bool or DType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>An array whose contents are unspecified (the caller overwrites every element).</summary>
    internal static Array AllocateUninitialized(this DType dtype, int length) => dtype switch
    {
        DType.Float32 => GC.AllocateUninitializedArray<float>(length),
        DType.Int64 => GC.AllocateUninitializedArray<long>(length),
        DType.Bool => GC.AllocateUninitializedArray<bool>(length),
        DType.UInt8 => GC.AllocateUninitializedArray<byte>(length),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    internal static Array Allocate(this DType dtype, int length) => dtype switch
    {
        DType.Float32 => new float[length],
        DType.Int64 => new long[length],
        DType.Bool => new bool[length],
        DType.UInt8 => new byte[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
