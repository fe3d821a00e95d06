using System.Buffers;
using System.Runtime.InteropServices;

namespace SharpGrad.Kernels;

/// <summary>
/// A pinned float buffer rented from <see cref="ArrayPool{T}"/> for the length of a kernel call (<c>using var</c>);
/// a length of 0 rents nothing and gives a null pointer. Contents are unspecified unless <c>clear</c>.
/// </summary>
internal unsafe struct Scratch : IDisposable
{
    private float[]? _array;
    private GCHandle _handle;

    public Scratch(long floats, bool clear = false)
    {
        if (floats <= 0) return;
        if (floats > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(floats), floats, "Scratch: buffer too large.");
        _array = ArrayPool<float>.Shared.Rent((int)floats);
        if (clear) Array.Clear(_array, 0, (int)floats);
        _handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        Pointer = (float*)_handle.AddrOfPinnedObject();
    }

    /// <summary>The first element, or null for an empty scratch.</summary>
    public float* Pointer { get; private set; }

    public void Dispose()
    {
        if (_array is null) return;
        _handle.Free();
        ArrayPool<float>.Shared.Return(_array);
        _array = null;
        Pointer = null;
    }
}
