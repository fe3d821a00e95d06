using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>
/// An exclusive lock on one dataset's cache entry, held through a lock file opened with <see cref="FileShare.None"/>
/// (an OS-level lock, released by the OS when a process dies), so two processes never fetch the same dataset at once.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private readonly FileStream _file;

    private CacheLock(FileStream file) => _file = file;

    /// <summary>Blocks until the lock on <paramref name="name"/> under <paramref name="root"/> is ours, or <paramref name="timeout"/> passes.</summary>
    public static CacheLock Acquire(string root, string name, IProgressReporter progress, TimeSpan timeout)
    {
        string dir = Path.Combine(root, ".locks");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".lock");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool told = false;
        while (true)
        {
            try
            {
                return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                if (!told) progress.Log($"Waiting for another process that is fetching '{name}' (lock {path}).");
                told = true;
                Thread.Sleep(200);
            }
            catch (IOException e)
            {
                throw new IOException($"Timed out after {timeout.TotalSeconds:F0} s waiting for the lock on dataset '{name}' ({path}); another process holds it.", e);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
