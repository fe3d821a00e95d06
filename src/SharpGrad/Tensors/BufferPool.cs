namespace SharpGrad;

/// <summary>
/// The storage arrays that <see cref="TensorScope"/>s hand out and take back, by element type and exact length: a
/// training step asks for the same sizes every batch, so after the first batch every request is met from here and the
/// step allocates no new arrays (PyTorch's caching allocator does the same for its tensors). Arrays of 1 KB or more
/// live on the pinned object heap, so the garbage collector neither copies nor zeroes them. The pool keeps at most
/// <see cref="Capacity"/> bytes; arrays returned beyond that are left to the garbage collector.
/// </summary>
internal static class BufferPool
{
    private const int PinnedBytes = 1024;

    private static readonly Dictionary<(DType, int), Stack<Array>> s_free = [];
    private static readonly Lock s_lock = new();
    private static long s_pooledBytes;

    /// <summary>Bytes the pool may hold: a quarter of the memory available to this process.</summary>
    public static long Capacity { get; set; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    /// <summary>Bytes held now.</summary>
    public static long PooledBytes
    {
        get
        {
            lock (s_lock) return s_pooledBytes;
        }
    }

    /// <summary>An array of <paramref name="length"/> elements of <paramref name="dtype"/>; zeroed when <paramref name="clear"/>, else with whatever it last held.</summary>
    public static Array Rent(DType dtype, int length, bool clear)
    {
        Array? array = null;
        lock (s_lock)
        {
            if (s_free.TryGetValue((dtype, length), out Stack<Array>? stack) && stack.TryPop(out array))
                s_pooledBytes -= Bytes(dtype, length);
        }
        array ??= Allocate(dtype, length);
        if (clear) Array.Clear(array);
        return array;
    }

    /// <summary>Takes back an array that no tensor will read again.</summary>
    public static void Return(DType dtype, Array array)
    {
        if (array is DeviceMemory[] device)
        {
            device[0].Free(); // device memory goes back to its backend, not to this pool
            return;
        }
        long bytes = Bytes(dtype, array.Length);
        lock (s_lock)
        {
            if (s_pooledBytes + bytes > Capacity) return;
            if (!s_free.TryGetValue((dtype, array.Length), out Stack<Array>? stack)) s_free[(dtype, array.Length)] = stack = new Stack<Array>();
            stack.Push(array);
            s_pooledBytes += bytes;
        }
    }

    /// <summary>
    /// Ends a region that owned <paramref name="owned"/> (a <see cref="TensorScope"/> or a <see cref="CapturedGraph"/>):
    /// every tensor in <paramref name="tensors"/> over owned storage is released, the storage comes back to the pool,
    /// and both collections are emptied.
    /// </summary>
    public static void ReleaseAll(List<Tensor> tensors, Dictionary<Array, DType> owned)
    {
        foreach (Tensor t in tensors)
            if (owned.ContainsKey(t.Storage)) t.Release();
        foreach ((Array array, DType dtype) in owned) Return(dtype, array);
        tensors.Clear();
        owned.Clear();
    }

    /// <summary>Drops every pooled array (the garbage collector reclaims them).</summary>
    public static void Clear()
    {
        lock (s_lock)
        {
            s_free.Clear();
            s_pooledBytes = 0;
        }
    }

    private static long Bytes(DType dtype, int length) => (long)length * dtype.ElementSize();

    private static Array Allocate(DType dtype, int length)
    {
        bool pinned = Bytes(dtype, length) >= PinnedBytes;
        return dtype switch
        {
            DType.Float32 => GC.AllocateUninitializedArray<float>(length, pinned),
            DType.Int64 => GC.AllocateUninitializedArray<long>(length, pinned),
            DType.Bool => GC.AllocateUninitializedArray<bool>(length, pinned),
            DType.UInt8 => GC.AllocateUninitializedArray<byte>(length, pinned),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
        };
    }
}
