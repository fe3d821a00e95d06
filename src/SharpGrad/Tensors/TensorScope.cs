namespace SharpGrad;

/// <summary>
/// A region of code whose tensors give their memory back when it ends: while a scope is open on a thread, every new
/// tensor that thread creates takes its storage from a pool, and disposing the scope returns that storage, so a loop
/// that opens one scope per batch allocates no new arrays after its first batch and leaves nothing for the garbage
/// collector (the <see cref="Learning.Learner"/> does this for every batch).
/// </summary>
/// <remarks>
/// <para>
/// A tensor created inside the scope cannot be read after the scope is disposed: it throws
/// <see cref="ObjectDisposedException"/>. To take a result out, call <see cref="Tensor.Keep"/> on it (it and every
/// view of its memory then stay valid and are left to the garbage collector), or copy what you need out first
/// (<see cref="Tensor.Item"/>, <see cref="Tensor.ToArray{T}"/>). Gradients stored on a tensor's
/// <see cref="Tensor.Grad"/> are kept automatically, and tensors created before the scope are never touched, so
/// in-place updates of parameters, gradients and running statistics inside a scope are safe.
/// </para>
/// <para>
/// Scopes nest: an inner scope releases what was created inside it, and views made inside it of an outer scope's
/// tensors stay valid until the outer scope ends. A scope belongs to the thread that opened it and must be disposed
/// on that thread, innermost first (a <c>using</c> block does both).
/// </para>
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    /// <summary>The bookkeeping of scopes that ended on this thread, reused so that opening a scope allocates next to nothing.</summary>
    [ThreadStatic] private static Stack<(Dictionary<Array, DType> Owned, List<Tensor> Tensors)>? t_spare;

    private readonly TensorScope? _outer;
    private readonly Dictionary<Array, DType> _owned;
    private readonly List<Tensor> _tensors;
    private bool _disposed;

    /// <summary>Opens a scope on the calling thread; <c>using (new TensorScope()) { … }</c>.</summary>
    public TensorScope()
    {
        if (t_spare is { Count: > 0 } spare) (_owned, _tensors) = spare.Pop();
        else (_owned, _tensors) = (new Dictionary<Array, DType>(ReferenceEqualityComparer.Instance), []);
        _outer = t_current;
        t_current = this;
    }

    /// <summary>The arrays this scope owns now (for tests of what a pass gives back early).</summary>
    internal IReadOnlyCollection<Array> OwnedArrays => _owned.Keys;

    /// <summary>Whether a scope is open on the calling thread.</summary>
    internal static bool IsActive => t_current is not null || CapturedGraph.IsCapturing;

    /// <summary>Storage for a new tensor: from the pool when a scope is open (zeroed if <paramref name="clear"/>), else a new array.</summary>
    internal static Array Allocate(DType dtype, int length, bool clear)
    {
        if (CapturedGraph.IsCapturing && length > 0) return CapturedGraph.Allocate(dtype, length, clear);
        TensorScope? scope = t_current;
        if (scope is null || length == 0) return clear ? dtype.Allocate(length) : dtype.AllocateUninitialized(length);
        Array array = BufferPool.Rent(dtype, length, clear);
        scope._owned.Add(array, dtype);
        if (t_recorded is not null)
        {
            t_recorded.Add(array);
            t_latest!.Add(array);
        }
        return array;
    }

    [ThreadStatic] private static HashSet<Array>? t_recorded;
    [ThreadStatic] private static List<Array>? t_latest;

    /// <summary>
    /// Starts noting the pooled arrays this thread allocates (a backward pass does, to know which buffers are its own
    /// intermediate gradients); null when no scope is open or a graph is being captured, where nothing may be returned early.
    /// </summary>
    internal static HashSet<Array>? RecordAllocations()
    {
        if (t_current is null || CapturedGraph.IsCapturing || t_recorded is not null) return null;
        t_latest = [];
        return t_recorded = new HashSet<Array>(ReferenceEqualityComparer.Instance);
    }

    /// <summary>
    /// The arrays allocated since the last <see cref="ClearLatest"/> while recording (null when not recording): what one
    /// backward rule made, so the pass can return what the rule used only as a temporary.
    /// </summary>
    internal static List<Array>? Latest => t_latest;

    /// <summary>Starts a new <see cref="Latest"/> list.</summary>
    internal static void ClearLatest() => t_latest?.Clear();

    /// <summary>Stops the recording <see cref="RecordAllocations"/> started.</summary>
    internal static void StopRecording() => (t_recorded, t_latest) = (null, null);

    /// <summary>
    /// Gives <paramref name="storage"/> back to the pool before its scope ends. Only for an array no tensor will read
    /// again (the backward pass's dead intermediate gradients): its tensors are not marked released.
    /// </summary>
    internal static void ReleaseEarly(Array storage)
    {
        for (TensorScope? s = t_current; s is not null; s = s._outer)
            if (s._owned.Remove(storage, out DType dtype))
            {
                BufferPool.Return(dtype, storage);
                return;
            }
    }

    /// <summary>
    /// Gives <paramref name="storage"/> back to the pool before its scope ends and marks every tensor over it released,
    /// so a stale reference throws rather than reads reused memory: for forward activations whose last reader, a
    /// backward node, has run. Nothing happens when no scope on this thread owns it (a parameter, a kept tensor).
    /// </summary>
    internal static void ReleaseSaved(Array storage)
    {
        for (TensorScope? s = t_current; s is not null; s = s._outer)
            if (s._owned.Remove(storage, out DType dtype))
            {
                foreach (Tensor t in s._tensors)
                    if (ReferenceEquals(t.Storage, storage)) t.Release();
                BufferPool.Return(dtype, storage);
                return;
            }
    }

    /// <summary>Records a new tensor whose storage a scope on this thread owns, so that scope can release it.</summary>
    internal static void Track(Tensor tensor)
    {
        if (CapturedGraph.Track(tensor)) return;
        for (TensorScope? s = t_current; s is not null; s = s._outer)
            if (s._owned.ContainsKey(tensor.Storage))
            {
                s._tensors.Add(tensor);
                return;
            }
    }

    /// <summary>Makes the innermost scope on this thread (or the capture in progress) own <paramref name="storage"/> (device memory, which does not come from the pool), so it is freed when the scope ends.</summary>
    internal static void Own(DeviceMemory[] storage, DType dtype)
    {
        if (CapturedGraph.IsCapturing)
        {
            CapturedGraph.OwnDevice(storage); // the graph frees it when disposed; its replays write it
            return;
        }
        if (t_current is not { } s) return;
        s._owned.Add(storage, dtype);
        if (t_recorded is not null)
        {
            t_recorded.Add(storage);
            t_latest!.Add(storage);
        }
    }

    /// <summary>Takes <paramref name="storage"/> out of whichever scope on this thread owns it: it is never returned to the pool.</summary>
    internal static void Keep(Array storage)
    {
        if (CapturedGraph.Keep(storage)) return;
        for (TensorScope? s = t_current; s is not null; s = s._outer)
            if (s._owned.Remove(storage)) return;
    }

    /// <summary>
    /// Ends the scope: every tensor created inside it (and not kept) is released and its storage returned to the pool.
    /// </summary>
    /// <exception cref="InvalidOperationException">An inner scope is still open, or this is not the thread that opened the scope.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException(
                "TensorScope.Dispose: this scope is not the innermost one open on this thread. Dispose scopes innermost first, on the thread that opened them (use a using block).");
        _disposed = true;
        t_current = _outer;
        BufferPool.ReleaseAll(_tensors, _owned);
        (t_spare ??= new()).Push((_owned, _tensors));
    }
}
