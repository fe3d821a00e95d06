using System.Diagnostics;
using SharpGrad.IO;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.IO;

/// <summary>Output paths are checked before work starts, non-regular targets are refused, links are written through, and stale temporary files are cleaned.</summary>
public class AtomicFileTests
{
    private static void WriteText(string path, string text) => AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_missing_folder_a_folder_target_and_a_device_are_refused_naming_the_users_path()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir, "no", "m.sgl");
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.CheckWritable(missing));
        Assert.Contains(missing, e1.Message);
        var e2 = Assert.ThrowsAny<IOException>(() => AtomicFile.CheckWritable(dir));
        Assert.Contains("is a folder", e2.Message);
        if (OperatingSystem.IsLinux())
        {
            var e3 = Assert.ThrowsAny<IOException>(() => WriteText("/dev/full", "x"));
            Assert.Contains("character device", e3.Message);
            var e4 = Assert.ThrowsAny<IOException>(() => AtomicFile.CheckWritable("/proc/sharpgrad-model.sgl"));
            Assert.Contains("/proc/sharpgrad-model.sgl", e4.Message);
            Assert.DoesNotContain(AtomicFile.TempMarker, e4.Message);
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void A_file_in_a_folder_that_is_a_file_is_refused()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir, "plain");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.CheckWritable(Path.Combine(file, "m.sgl")));
        Assert.Contains("is a file, not a folder", e.Message);
    }

    [Fact]
    public void Writing_through_a_symbolic_link_replaces_its_target_and_keeps_the_link()
    {
        using var dir = new TempDir();
        string target = Path.Combine(dir, "real.sgl"), link = Path.Combine(dir, "link.sgl");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, "real.sgl");
        WriteText(link, "new");
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["link.sgl", "real.sgl"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Stale_temporary_files_of_dead_processes_are_removed_by_the_next_write_and_live_ones_are_kept()
    {
        using var dir = new TempDir();
        string target = Path.Combine(dir, "m.sgl");
        // A process that has exited: its pid is free (or reused by then, which only means the file is kept longer).
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        string stale = $"{target}{AtomicFile.TempMarker}{gone.Id}-{Guid.NewGuid():N}";
        string live = $"{target}{AtomicFile.TempMarker}{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllText(stale, "half a model");
        File.WriteAllText(live, "being written");
        WriteText(target, "done");
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.Equal("done", File.ReadAllText(target));
    }
}
