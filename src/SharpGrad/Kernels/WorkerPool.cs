using System.Diagnostics;

namespace SharpGrad.Kernels;

/// <summary>
/// A fork-join pool for the kernels: <see cref="Parallelism.Threads"/> - 1 persistent background workers that
/// spin for a short while after each job before sleeping, so the back-to-back small jobs of a training step start
/// in microseconds (the thread pool's hand-off measured 100-200 µs here). The calling thread takes part in every
/// job. Jobs from a second thread, or nested inside a job, run inline on the caller.
/// </summary>
internal static class WorkerPool
{
    private static readonly object s_start = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static readonly long s_spinTicks = Stopwatch.Frequency / 5000; // spin 200 µs before sleeping
    private static Thread[] s_workers = [];
    private static int s_busy;

    private static int s_sleeping;
    private static volatile int s_generation;
    private static volatile Job? s_job;

    /// <summary>One call's work; a worker that wakes late only ever touches the job it read, never the next one.</summary>
    private sealed class Job(Action<int> body, int count)
    {
        public readonly Action<int> Body = body;
        public readonly int Count = count;
        public int Next, Done;
        public Exception? Error;
    }

    /// <summary>Runs <paramref name="body"/>(i) for every i in [0, <paramref name="count"/>), spread over the workers and the caller.</summary>
    public static void Run(int count, Action<int> body)
    {
        int threads = Math.Min(Parallelism.Threads, count);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            // Inline (one thread, nested, or the pool busy with another thread's job): a failure is reported the same
            // way as from the workers, so the exception does not depend on scheduling.
            try
            {
                for (int i = 0; i < count; i++) body(i);
            }
            catch (Exception e)
            {
                throw new AggregateException("A parallel kernel failed.", e);
            }
            return;
        }
        try
        {
            EnsureWorkers(Parallelism.Threads - 1);
            var job = new Job(body, count);
            s_job = job;
            s_generation++;
            int sleepers = Volatile.Read(ref s_sleeping);
            if (sleepers > 0) s_wake.Release(sleepers);
            Work(job);
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Done) < count) spin.SpinOnce(-1);
            s_job = null;
            if (job.Error is Exception e) throw new AggregateException("A parallel kernel failed.", e);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void Work(Job? job)
    {
        if (job is null) return;
        int i;
        while ((i = Interlocked.Increment(ref job.Next) - 1) < job.Count)
        {
            try { job.Body(i); }
            catch (Exception e) { job.Error ??= e; }
            Interlocked.Increment(ref job.Done);
        }
    }

    private static void EnsureWorkers(int n)
    {
        if (s_workers.Length >= n) return;
        lock (s_start)
        {
            if (s_workers.Length >= n) return;
            var workers = new Thread[n];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int w = s_workers.Length; w < n; w++)
            {
                workers[w] = new Thread(Loop) { IsBackground = true, Name = $"SharpGrad worker {w + 1}" };
                workers[w].Start();
            }
            s_workers = workers;
        }
    }

    private static void Loop()
    {
        int seen = s_generation;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (s_generation == seen)
            {
                if (Stopwatch.GetTimestamp() - start > s_spinTicks)
                {
                    Interlocked.Increment(ref s_sleeping);
                    if (s_generation == seen) s_wake.Wait();
                    Interlocked.Decrement(ref s_sleeping);
                    start = Stopwatch.GetTimestamp();
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }
            seen = s_generation;
            Work(s_job);
        }
    }
}
