using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpGrad.Autograd;

namespace SharpGrad;

/// <summary>
/// An n-dimensional array with PyTorch's semantics: a typed storage seen through sizes, strides and an offset
/// (so views share memory), and, for float tensors, reverse-mode automatic differentiation.
/// </summary>
/// <remarks>
/// Tensors are created with the static factories (<see cref="Zeros(ReadOnlySpan{int})"/>, <see cref="Randn(ReadOnlySpan{int})"/>,
/// <see cref="From(float[])"/>, …), combined with operators and methods that broadcast like NumPy, and printed as PyTorch prints them.
/// </remarks>
public sealed partial class Tensor
{
    /// <summary>Stands in for the storage of a tensor released by its <see cref="TensorScope"/>.</summary>
    private static readonly Array s_released = new byte[1];

    /// <summary>The backing array: <c>float[]</c>, <c>long[]</c>, <c>bool[]</c> or <c>byte[]</c>, shared by views.</summary>
    internal Array Storage;
    internal readonly int[] Sizes;
    internal readonly int[] Strides;
    internal readonly int Offset;
    private readonly bool _isContiguous;

    internal Tensor(Array storage, int[] sizes, int[] strides, int offset, DType dtype)
    {
        Storage = storage;
        Sizes = sizes;
        Strides = strides;
        Offset = offset;
        DType = dtype;
        Numel = ShapeMath.Numel(sizes);
        _isContiguous = ShapeMath.IsContiguous(sizes, strides);
        if (TensorScope.IsActive) TensorScope.Track(this);
    }

    /// <summary>Wraps a fresh contiguous array (no copy).</summary>
    internal Tensor(Array storage, int[] sizes, DType dtype)
        : this(storage, sizes, ShapeMath.ContiguousStrides(sizes), 0, dtype)
    {
    }

    /// <summary>A new zeroed contiguous tensor (from the pool inside a <see cref="TensorScope"/>).</summary>
    internal static Tensor Empty(ReadOnlySpan<int> sizes, DType dtype = DType.Float32) => Allocate(sizes, dtype, clear: true);

    /// <summary>A new contiguous tensor whose elements are unspecified: for ops that write every element.</summary>
    internal static Tensor Uninitialized(ReadOnlySpan<int> sizes, DType dtype = DType.Float32) => Allocate(sizes, dtype, clear: false);

    private static Tensor Allocate(ReadOnlySpan<int> sizes, DType dtype, bool clear)
    {
        int[] s = sizes.ToArray();
        ShapeMath.CheckSizes(s);
        return new Tensor(TensorScope.Allocate(dtype, ShapeMath.Numel(s), clear), s, dtype);
    }

    /// <summary>
    /// Takes this tensor out of the <see cref="TensorScope"/> it was created in, so it stays valid after the scope
    /// ends (with every view of its memory); returns this tensor. Outside a scope, or for a tensor made before it, it does nothing.
    /// </summary>
    public Tensor Keep()
    {
        if (TensorScope.IsActive) TensorScope.Keep(Storage);
        return this;
    }

    /// <summary>Called by the tensor's scope when it ends: from now on reading the elements throws.</summary>
    internal void Release() => Storage = s_released;

    private static ObjectDisposedException ReleasedError() => new(nameof(Tensor),
        "This tensor was created inside a TensorScope (the Learner opens one per batch) that has ended, and its memory has been reused. " +
        "Call Keep() on it inside the scope to use it afterwards, or copy out what you need (Item(), ToArray()).");

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The sizes of the dimensions.</summary>
    public Shape Shape => Shape.Wrap(Sizes);

    /// <summary>The number of dimensions.</summary>
    public int NDim => Sizes.Length;

    /// <summary>The number of elements.</summary>
    public int Numel { get; }

    /// <summary>Size of one dimension; negative dims count from the end.</summary>
    public int Size(int dim) => Sizes[ShapeMath.NormalizeDim(dim, NDim, "Size")];

    /// <summary>The stride of each dimension, in elements.</summary>
    public int[] Stride() => (int[])Strides.Clone();

    /// <summary>Whether the elements lie in row-major order without gaps.</summary>
    public bool IsContiguous => _isContiguous;

    /// <summary>Whether two tensors are views of the same storage.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(Storage, other.Storage);

    /// <summary>The whole backing array as a span of <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<T> StorageSpan<T>() where T : unmanaged
    {
        Array a = Storage;
        if (ReferenceEquals(a, s_released)) throw ReleasedError();
        if (a is DeviceMemory[]) throw OnDeviceError(a);
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length);
    }

    /// <summary>The elements of a contiguous tensor, in order.</summary>
    internal Span<T> Contents<T>() where T : unmanaged
    {
        if (!_isContiguous) throw new InvalidOperationException("Internal error: Contents() on a non-contiguous tensor.");
        CheckDType<T>();
        return StorageSpan<T>().Slice(Offset, Numel);
    }

    /// <summary>The float elements of a contiguous float tensor.</summary>
    internal Span<float> Floats => Contents<float>();

    internal void CheckDType<T>() where T : unmanaged
    {
        DType want = DTypeExtensions.Of<T>();
        if (want != DType) throw new InvalidOperationException($"Expected a tensor of dtype {want.TorchName()}, got {DType.TorchName()}.");
    }

    /// <summary>Copies the elements, in row-major order, into a new array.</summary>
    /// <typeparam name="T">Must match <see cref="DType"/>: float, long, bool or byte.</typeparam>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckDType<T>();
        return IsOnDevice ? Download().Contents<T>().ToArray() : Contiguous().Contents<T>().ToArray();
    }

    /// <summary>The value of a one-element tensor as a float (PyTorch's <c>item()</c>).</summary>
    public float Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, but this one has shape {Shape} ({Numel} elements).");
        if (IsOnDevice) return Download().Item();
        return DType switch
        {
            DType.Float32 => StorageSpan<float>()[Offset],
            DType.Int64 => StorageSpan<long>()[Offset],
            DType.Bool => StorageSpan<bool>()[Offset] ? 1f : 0f,
            DType.UInt8 => StorageSpan<byte>()[Offset],
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>The value of a one-element tensor as <typeparamref name="T"/>, which must match the dtype.</summary>
    public T Item<T>() where T : unmanaged
    {
        CheckDType<T>();
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, but this one has shape {Shape} ({Numel} elements).");
        return StorageSpan<T>()[Offset];
    }

    /// <summary>Offset into <see cref="Storage"/> of the element at a multi-index.</summary>
    internal int OffsetOf(ReadOnlySpan<int> index)
    {
        int o = Offset;
        for (int d = 0; d < index.Length; d++) o += index[d] * Strides[d];
        return o;
    }

    /// <summary>Prints the tensor as PyTorch does, e.g. <c>tensor([[ 1.5000,  3.0000]], requires_grad=True)</c>.</summary>
    public override string ToString()
    {
        if (!IsOnDevice) return TensorFormatter.Format(this);
        string text = TensorFormatter.Format(Download());
        return text.EndsWith(')') ? $"{text[..^1]}, device='{Device}')" : text; // PyTorch: tensor([...], device='cuda:0')
    }
}
