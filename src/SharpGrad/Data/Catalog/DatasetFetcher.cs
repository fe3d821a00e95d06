using SharpGrad.Data.Sources;
using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>
/// Brings a dataset into the cache: returns at once when it is there; otherwise takes the dataset's lock, tries each
/// source in order (logging why one is skipped) and installs only verified data, atomically.
/// </summary>
internal static class DatasetFetcher
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(30);
    internal const string StagingPrefix = ".staging-";

    public static string Get(DatasetInfo info, string root, IProgressReporter progress, CancellationToken cancellation)
    {
        string dir = Path.Combine(root, info.Name);
        if (IsComplete(info, dir)) return dir;
        using CacheLock _ = LockCache(root, info.Name, progress);
        if (IsComplete(info, dir)) return dir; // another process finished it while we waited
        RemoveLeftovers(info, root, dir);
        var failures = new List<string>();
        foreach (DatasetSource source in info.Sources)
        {
            cancellation.ThrowIfCancellationRequested();
            string? failure = Try(info, source, root, dir, progress, cancellation);
            if (failure is null && IsComplete(info, dir)) return dir;
            failure ??= "delivered nothing";
            failures.Add($"{source.Describe()}: {failure}");
            progress.Log($"{info.Name}: skipped {source.Describe()}: {failure}");
        }
        throw new DatasetUnavailableException(info.Name, failures);
    }

    /// <summary>Creates the cache root when missing and takes the dataset's lock, with errors that name the folder and the way out.</summary>
    private static CacheLock LockCache(string root, string name, IProgressReporter progress)
    {
        const string Fix = $"choose another folder with --data or ${DataDirectory.EnvironmentVariable}";
        if (File.Exists(root)) throw new IOException($"The dataset cache '{root}' is a file, not a folder; {Fix}.");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, ".locks"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to the dataset cache '{root}' to fetch '{name}' ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.'))}); {Fix}.", e);
        }
        try
        {
            return CacheLock.Acquire(root, name, progress, LockTimeout);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot write to the dataset cache '{root}' (permission denied) to fetch '{name}'; {Fix}.", e);
        }
    }

    /// <summary>Whether every file of the dataset is in place; files only ever arrive there verified, by rename.</summary>
    public static bool IsComplete(DatasetInfo info, string dir) =>
        info.IsImageFolder
            ? Directory.Exists(dir)
            : info.Files.All(f => new FileInfo(Path.Combine(dir, f.Name)) is { Exists: true } fi && fi.Length == f.Length);

    private static string? Try(DatasetInfo info, DatasetSource source, string root, string dir, IProgressReporter progress, CancellationToken cancellation)
    {
        try
        {
            switch (source)
            {
                case FileSource files:
                {
                    Directory.CreateDirectory(dir);
                    var fetch = new FileFetch(info.Name, root, dir, info.Files, progress, cancellation);
                    files.Fetch(fetch);
                    return fetch.Wanted.Count == 0 ? null
                        : fetch.Problems.Count > 0 ? string.Join("; ", fetch.Problems)
                        : $"did not provide {string.Join(", ", fetch.Wanted.Select(f => f.Name))}";
                }
                case FolderSource folder:
                {
                    string staging = Path.Combine(root, $"{StagingPrefix}{info.Name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
                    Directory.CreateDirectory(staging);
                    try
                    {
                        folder.Build(staging, new FetchContext(info.Name, root, progress, cancellation));
                        string? wrong = CheckLayout(info, staging);
                        if (wrong is not null) return wrong;
                        Directory.Move(staging, dir);
                        return null;
                    }
                    finally
                    {
                        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
                    }
                }
                default:
                    return $"unsupported source type {source.GetType().Name}";
            }
        }
        catch (SourceFailedException e)
        {
            return e.Message;
        }
        catch (IOException e)
        {
            return e.Message;
        }
        catch (UnauthorizedAccessException e)
        {
            return e.Message;
        }
    }

    /// <summary>Null when every folder holds its expected number of files, else what differs.</summary>
    private static string? CheckLayout(DatasetInfo info, string staging)
    {
        var wrong = new List<string>();
        foreach ((string folder, int expected) in info.FolderCounts)
        {
            string path = Path.Combine(staging, folder);
            int actual = Directory.Exists(path) ? Directory.EnumerateFiles(path).Count() : 0;
            if (actual != expected) wrong.Add($"{folder} has {actual:N0} files, expected {expected:N0}");
        }
        return wrong.Count == 0 ? null : "wrong layout: " + string.Join("; ", wrong);
    }

    /// <summary>Under the lock no one else is writing, so temp files and staging folders left by killed processes can go.</summary>
    private static void RemoveLeftovers(DatasetInfo info, string root, string dir)
    {
        try
        {
            if (Directory.Exists(dir) && !info.IsImageFolder)
                foreach (string partial in Directory.EnumerateFiles(dir, "*.partial-*")) File.Delete(partial);
            foreach (string staging in Directory.EnumerateDirectories(root, $"{StagingPrefix}{info.Name}-*"))
                Directory.Delete(staging, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
