namespace SharpGrad.Kernels;

/// <summary>
/// How many threads the kernels use (default: all cores) and a chunked parallel loop that keeps the split fixed
/// for a given length and thread count, so results are bitwise reproducible.
/// </summary>
public static class Parallelism
{
    private static int s_threads = Environment.ProcessorCount;

    /// <summary>Threads the kernels may use (PyTorch's <c>torch.set_num_threads</c>); at least 1.</summary>
    public static int Threads
    {
        get => s_threads;
        set => s_threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
    }

    /// <summary>Elementwise ops below this many elements run on one thread (measured: thread hand-off costs more below it).</summary>
    internal const int ElementwiseThreshold = 1 << 16;

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, <paramref name="length"/>) in contiguous chunks whose
    /// boundaries are multiples of <paramref name="align"/>; on the calling thread when the length is under twice
    /// <paramref name="threshold"/>. Up to four chunks per thread (each at least <paramref name="threshold"/> long)
    /// are claimed dynamically, so a thread that starts late or runs on a busy core takes fewer; the chunk boundaries
    /// depend only on the length and <see cref="Threads"/>, and each chunk writes its own outputs, so results do not
    /// depend on which thread ran which chunk.
    /// </summary>
    internal static void For(int length, int threshold, int align, Action<int, int> body)
    {
        int perThreshold = length / Math.Max(threshold, 1);
        int threads = Math.Min(Threads, Math.Max(1, perThreshold));
        if (threads <= 1)
        {
            body(0, length);
            return;
        }
        int pieces = Math.Min(threads * 4, perThreshold);
        int chunk = (length + pieces - 1) / pieces;
        chunk = (chunk + align - 1) / align * align;
        pieces = (length + chunk - 1) / chunk;
        WorkerPool.Run(pieces, t =>
        {
            int start = t * chunk, end = Math.Min(length, start + chunk);
            if (start < end) body(start, end);
        });
    }
}
