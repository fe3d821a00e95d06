using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SharpGrad;

/// <summary>
/// A sequence of tensor ops (typically a whole training step: forward, backward, optimizer update) recorded once and
/// replayed many times, like PyTorch's CUDA graphs. <see cref="Capture"/> runs the step once and records every kernel
/// it launches with the memory it reads and writes; <see cref="Replay"/> launches the same kernels on the same memory
/// again, skipping everything else an eager step does: no shape checks, no new tensor or graph objects, no allocation.
/// </summary>
/// <remarks>
/// <para>
/// A replay does exactly what the captured step did, to whatever the memory holds now. Feed it new data by writing into
/// the tensors the step read (<c>xb.CopyFrom(batch)</c>) before each replay, and read results from the tensors it wrote
/// (<c>loss.Item()</c>) after. Tensors created during the capture stay valid until the graph is disposed; then their
/// memory goes back to the pool and reading them throws, except for those kept with <see cref="Tensor.Keep"/>
/// (gradients stored on <see cref="Tensor.Grad"/> are kept automatically).
/// </para>
/// <para>
/// Only tensor work is replayed. C# code in the step (branches, loops, <c>Item()</c>, prints) ran once, at capture, so
/// the step must do the same thing every time: same shapes, and its gradients in the same state at its start and end
/// (zero them in place with <c>ZeroGrad(setToNone: false)</c>, or set them to null, inside the step). An optimizer's
/// update reads its hyperparameters when it is replayed, so learning-rate schedules work. Ops whose result would change
/// between replays for reasons a replay cannot see (random numbers, batch-norm running statistics) and ops without
/// capture support make <see cref="Capture"/> throw <see cref="NotSupportedException"/> naming the op; capture covers
/// the elementwise ops, comparisons, <c>Where</c>, sums and means, matrix products, softmax and log-softmax,
/// <c>Gather</c> (so <c>F.CrossEntropy</c> and <c>F.NllLoss</c>), copies and in-place updates, autograd, and the
/// optimizers.
/// </para>
/// <para>
/// On a device (<c>tensor.To(Device.Cuda())</c>) every kernel the step launches is recorded, so convolutions and
/// pooling replay there too (batch norm still refuses, for its running statistics); host-to-device copies read their
/// CPU tensor again at each replay, so feeding CPU batches into a step that moves them works as on the CPU.
/// </para>
/// </remarks>
public sealed class CapturedGraph : IDisposable
{
    [ThreadStatic] private static CapturedGraph? t_capturing;

    private readonly List<Launch> _launches = [];
    /// <summary>Storage the graph rented from the pool, with its dtype: returned on <see cref="Dispose"/>.</summary>
    private readonly Dictionary<Array, DType> _owned = new(ReferenceEqualityComparer.Instance);
    /// <summary>Storage created during the capture that no recorded launch has written yet, with the op that made it.</summary>
    private readonly Dictionary<Array, string> _unwritten = new(ReferenceEqualityComparer.Instance);
    /// <summary>
    /// Storage a creation op filled with a constant (zeros, ones) whose fill a replay repeats, with a copy of its bytes:
    /// if anything but a recorded launch writes it later (an op without capture support adding into zeros), the bytes
    /// differ at the end of the capture and the capture fails instead of replaying the constant.
    /// </summary>
    private readonly Dictionary<Array, (string Origin, byte[] Bytes)> _constants = new(ReferenceEqualityComparer.Instance);
    /// <summary>The storage of each device memory the capture owns, so a device launch can mark what it writes.</summary>
    private readonly Dictionary<DeviceMemory, Array> _device = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    private CapturedGraph()
    {
    }

    /// <summary>
    /// Runs <paramref name="step"/> once, for real, and records the kernels it launches, for <see cref="Replay"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The step used an op that cannot be captured (the message names it).</exception>
    /// <exception cref="InvalidOperationException">A capture is already in progress on this thread.</exception>
    public static CapturedGraph Capture(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (t_capturing is not null)
            throw new InvalidOperationException("CapturedGraph.Capture: a capture is already in progress on this thread; captures do not nest.");
        var graph = new CapturedGraph();
        t_capturing = graph;
        try
        {
            step();
        }
        catch
        {
            t_capturing = null;
            graph.Dispose();
            throw;
        }
        t_capturing = null;
        var unsupported = new List<string>(graph._unwritten.Values);
        foreach ((Array array, (string origin, byte[] bytes)) in graph._constants)
            if (!Bytes(array).SequenceEqual(bytes)) unsupported.Add(origin);
        if (unsupported.Count > 0)
        {
            string ops = string.Join(", ", unsupported.Distinct());
            graph.Dispose();
            throw new NotSupportedException(
                $"CapturedGraph.Capture: the step used ops without capture support ({ops}); a replay could not recompute their results. " +
                "Run that part eagerly, outside the captured step.");
        }
        return graph;
    }

    /// <summary>The number of kernel launches a replay runs.</summary>
    public int LaunchCount => _launches.Count;

    /// <summary>Runs the captured kernels again, in order, on the captured memory. Allocates nothing.</summary>
    /// <exception cref="ObjectDisposedException">The graph was disposed.</exception>
    public void Replay()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (t_capturing is not null)
            throw new InvalidOperationException("CapturedGraph.Replay: cannot replay a graph while capturing another on the same thread.");
        foreach (Launch launch in _launches) launch.Run();
    }

    /// <summary>Releases the tensors created during the capture (except those kept) and returns their memory to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        BufferPool.ReleaseAll(_tensors, _owned);
        _device.Clear();
        _launches.Clear();
    }

    /// <summary>Whether a capture is in progress on this thread.</summary>
    internal static bool IsCapturing => t_capturing is not null;

    /// <summary>Storage for a tensor created during the capture: from the pool, owned by the graph. A zeroed request is replayed as a clear.</summary>
    internal static Array Allocate(DType dtype, int length, bool clear)
    {
        CapturedGraph g = t_capturing!;
        Array array = BufferPool.Rent(dtype, length, clear);
        g._owned.Add(array, dtype);
        g._unwritten.Add(array, Origin());
        if (clear) g._launches.Add(new Launch<Array>(array, static a => Array.Clear(a)));
        return array;
    }

    /// <summary>Makes the capture own the storage of a new device tensor (freed on <see cref="Dispose"/>); unwritten until a device launch writes it.</summary>
    internal static void OwnDevice(DeviceMemory[] storage)
    {
        CapturedGraph g = t_capturing!;
        g._owned.Add(storage, DType.Float32);
        g._unwritten.Add(storage, Origin());
        g._device.Add(storage[0], storage);
    }

    /// <summary>
    /// During a capture, records a device launch (a <see cref="DeviceBackend"/> entry point with its arguments) and
    /// marks the device memory it writes as written. The backend calls it for every launch it runs while capturing.
    /// </summary>
    internal static void RecordDevice(Action launch, DeviceMemory? written, DeviceMemory? written2, DeviceMemory? written3)
    {
        CapturedGraph? g = t_capturing;
        if (g is null) return;
        foreach (DeviceMemory? w in (ReadOnlySpan<DeviceMemory?>)[written, written2, written3])
            if (w is not null && g._device.TryGetValue(w, out Array? storage)) g._unwritten.Remove(storage);
        g._launches.Add(new Launch<Action>(launch, static run => run()));
    }

    /// <summary>Records a tensor over storage the capture owns, so <see cref="Dispose"/> can release it; false if it owns none.</summary>
    internal static bool Track(Tensor tensor)
    {
        CapturedGraph? g = t_capturing;
        if (g is null || !g._owned.ContainsKey(tensor.Storage)) return false;
        g._tensors.Add(tensor);
        return true;
    }

    /// <summary>Takes <paramref name="storage"/> out of the capture's ownership, so it outlives the graph; false if the capture does not own it.</summary>
    internal static bool Keep(Array storage) => t_capturing?._owned.Remove(storage) == true;

    /// <summary>
    /// During a capture, records a launch that computes <paramref name="written"/> from <paramref name="state"/>; does
    /// nothing otherwise. <paramref name="run"/> must be a static lambda (so an eager call allocates nothing) that
    /// recomputes exactly what the op just computed.
    /// </summary>
    internal static void Record<TState>(Tensor written, TState state, Action<TState> run)
    {
        CapturedGraph? g = t_capturing;
        if (g is null || written.IsOnDevice) return; // the device backend recorded its own launches
        g._unwritten.Remove(written.Storage);
        g._constants.Remove(written.Storage);
        g._launches.Add(new Launch<TState>(state, run));
    }

    /// <summary>
    /// During a capture, records a launch that writes memory the checks need not hear of: an optimizer's update of the
    /// parameters, or a creation op's fill just before it declares the tensor a <see cref="Constant"/>.
    /// </summary>
    internal static void RecordInPlace<TState>(TState state, Action<TState> run)
    {
        CapturedGraph? g = t_capturing;
        if (g is null) return;
        g._launches.Add(new Launch<TState>(state, run));
    }

    /// <summary>
    /// Marks the storage of <paramref name="constant"/>, just filled by a creation op whose fill a replay repeats, as
    /// needing no other launch, provided nothing but a recorded launch writes it before the capture ends (checked then).
    /// </summary>
    internal static void Constant(Tensor constant)
    {
        CapturedGraph? g = t_capturing;
        if (g is null || !g._unwritten.Remove(constant.Storage, out string? origin)) return;
        g._constants[constant.Storage] = (origin, Bytes(constant.Storage).ToArray());
    }

    private static ReadOnlySpan<byte> Bytes(Array array) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), (int)Buffer.ByteLength(array));

    /// <summary>Throws <see cref="NotSupportedException"/> when <paramref name="op"/> runs during a capture (its effect could not be replayed faithfully).</summary>
    internal static void ThrowIfCapturing(string op, string why)
    {
        if (t_capturing is not null)
            throw new NotSupportedException($"{op} cannot run inside CapturedGraph.Capture: {why}. Run it eagerly, outside the captured step.");
    }

    /// <summary>Stops recording until disposed (for work that a recorded launch already repeats, such as an optimizer's update).</summary>
    internal static Paused Pause() => new(t_capturing);

    /// <summary>Restores the capture that <see cref="Pause"/> suspended.</summary>
    internal readonly struct Paused : IDisposable
    {
        private readonly CapturedGraph? _graph;

        internal Paused(CapturedGraph? graph)
        {
            _graph = graph;
            t_capturing = null;
        }

        public void Dispose() => t_capturing = _graph;
    }

    /// <summary>Creation methods that ops call for their outputs: the op to name is further out.</summary>
    private static readonly HashSet<string> s_creators = ["Zeros", "ZerosLike", "Ones", "OnesLike", "Full", "FullLike"];

    /// <summary>
    /// The SharpGrad op that is creating a tensor, for the message about ops without capture support: the innermost
    /// public method other than a plain creation method, or the op whose backward rule (a lambda inside it) is running.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "Only names the op in an error message; where trimming removed the metadata the frame is skipped and the message is less specific, never wrong.")]
    private static string Origin()
    {
        foreach (StackFrame frame in new StackTrace(2, false).GetFrames())
        {
            MethodBase? m = frame.GetMethod();
            Type? type = m?.DeclaringType;
            if (m is null || type is null || type.Namespace?.StartsWith("SharpGrad", StringComparison.Ordinal) != true) continue;
            if (m.Name.StartsWith('<') && m.Name.IndexOf('>') is > 1 and int end)
            {
                // A lambda: <Op>b__12_0 declared in Op, on a compiler-generated class nested in the op's type.
                Type outer = type;
                while (outer.DeclaringType is { } t && outer.Name.StartsWith('<')) outer = t;
                return $"{outer.Name}.{m.Name[1..end]} (its backward)";
            }
            if (!m.IsPublic || !type.IsPublic || s_creators.Contains(m.Name)) continue;
            return $"{type.Name}.{m.Name}";
        }
        return "an internal op";
    }

    private abstract class Launch
    {
        public abstract void Run();
    }

    private sealed class Launch<TState>(TState state, Action<TState> run) : Launch
    {
        public override void Run() => run(state);
    }
}
