using System.Globalization;
using System.Runtime.InteropServices;

namespace SharpGrad.IO;

/// <summary>
/// Writes a file all at once or not at all: the content goes to <c>NAME.sharpgrad-tmp-PID-GUID</c> in the target's
/// folder, is flushed to disk, and only then renamed over the target. Readers see the old file or the new one, never a
/// partial one; if anything fails (including the writer callback) the temporary file is deleted and an existing file is
/// untouched. A process killed mid-write leaves its temporary file behind; the next write to the same target removes
/// the temporary files of processes that no longer run.
/// </summary>
public static class AtomicFile
{
    /// <summary>What every temporary file's name holds after the target's name.</summary>
    public const string TempMarker = ".sharpgrad-tmp-";

    /// <summary>
    /// Checks up front that <paramref name="path"/> can be written, so a long job does not fail at its end: the folder
    /// exists and accepts new files, and the target is absent or a regular file. A symbolic link is followed: the
    /// file it points to is the one replaced, and the link stays.
    /// </summary>
    /// <returns>The full path that will be replaced (the link's final target for a link).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="IOException">The target is a folder or a device, pipe or socket, or the folder cannot be written; the message names <paramref name="path"/>.</exception>
    public static string CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string target = ResolveTarget(path);
        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(File.Exists(folder)
                ? $"Cannot write '{path}': '{folder}' is a file, not a folder."
                : $"Cannot write '{path}': the folder '{folder}' does not exist; create it first.");
        if (Directory.Exists(target)) throw new IOException($"Cannot write '{path}': it is a folder; give a file name inside it.");
        if (FileKind(target) is { } kind && kind != "regular file")
            throw new IOException($"Cannot write '{path}': it is a {kind}, not a regular file; SharpGrad writes only regular files.");
        string probe = TempName(target);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{path}': the folder '{folder}' does not accept new files ({Reason(e, probe, path)}).", e);
        }
        finally
        {
            TryDelete(probe);
        }
        return target;
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically (see the class summary).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="IOException">The target cannot be replaced or the disk is full; the message names <paramref name="path"/>, never the temporary file.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string target = CheckWritable(path);
        RemoveStaleTemps(target);
        string temp = TempName(target);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not DirectoryNotFoundException)
        {
            throw new IOException($"Cannot write '{path}': {Reason(e, temp, path)}; the previous file, if any, is unchanged.", e);
        }
        finally
        {
            if (File.Exists(temp)) TryDelete(temp);
        }
    }

    /// <summary>Deletes the temporary files left beside <paramref name="target"/> by processes that are no longer running.</summary>
    internal static void RemoveStaleTemps(string target)
    {
        string folder = Path.GetDirectoryName(target)!, prefix = Path.GetFileName(target) + TempMarker;
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, prefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string file in candidates)
        {
            string rest = Path.GetFileName(file)[prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !IsRunning(pid))
                TryDelete(file);
        }
    }

    private static string TempName(string target) => $"{target}{TempMarker}{Environment.ProcessId}-{Guid.NewGuid():N}";

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The full path that a write to <paramref name="path"/> replaces: the final target when it is a symbolic link.</summary>
    private static string ResolveTarget(string path)
    {
        string full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (info.LinkTarget is null) return full;
        FileSystemInfo? final = info.ResolveLinkTarget(returnFinalTarget: true);
        return final is null ? full : Path.GetFullPath(final.FullName);
    }

    /// <summary>The file type of an existing path on Linux ("regular file", "character device", ...), or null when absent or not knowable.</summary>
    private static unsafe string? FileKind(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        const int AtFdCwd = -100, StatxType = 1;
        byte* buffer = stackalloc byte[256];
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = name)
        {
            try
            {
                if (Statx(AtFdCwd, p, 0, StatxType, buffer) != 0) return null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
        // struct statx: mask u32, blksize u32, attributes u64, nlink u32, uid u32, gid u32, mode u16 at byte 28.
        int mode = *(ushort*)(buffer + 28) & 0xF000;
        return mode switch
        {
            0x8000 => "regular file",
            0x4000 => "folder",
            0x2000 => "character device",
            0x6000 => "block device",
            0x1000 => "named pipe",
            0xC000 => "socket",
            _ => "special file",
        };
    }

    [DllImport("libc", EntryPoint = "statx")]
    private static extern unsafe int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>The cause of <paramref name="e"/> in the user's terms: the temporary file's name replaced by theirs.</summary>
    private static string Reason(Exception e, string temp, string path) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        _ => e.Message.Replace(temp, path, StringComparison.Ordinal).TrimEnd('.'),
    };

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
