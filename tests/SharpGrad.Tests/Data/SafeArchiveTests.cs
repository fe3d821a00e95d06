using System.Formats.Tar;
using System.IO.Compression;
using SharpGrad.Data.Sources;

namespace SharpGrad.Tests.Data;

/// <summary>Archive extraction keeps every entry inside the target folder.</summary>
public class SafeArchiveTests
{
    private static MemoryStream Tar(Action<TarWriter> write)
    {
        var m = new MemoryStream();
        using (var w = new TarWriter(m, TarEntryFormat.Pax, leaveOpen: true)) write(w);
        m.Position = 0;
        return m;
    }

    private static void File(TarWriter w, string name, string text) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });

    [Fact]
    public void A_well_formed_tar_extracts_with_its_folders_and_inside_links()
    {
        using var dir = new TempDir();
        using MemoryStream tar = Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "top/train/"));
            File(w, "top/train/a.txt", "alpha");
            File(w, "top/labels.csv", "name,label");
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "top/link.txt") { LinkName = "train/a.txt" });
        });
        Assert.Equal(2, SafeArchive.ExtractTar(tar, dir, gzipped: false, "test.tar"));
        Assert.Equal("alpha", System.IO.File.ReadAllText(Path.Combine(dir, "top", "train", "a.txt")));
        Assert.Equal("alpha", System.IO.File.ReadAllText(Path.Combine(dir, "top", "link.txt")));
    }

    [Theory]
    [InlineData("../evil.txt", "contains '..'")]
    [InlineData("top/../../evil.txt", "contains '..'")]
    [InlineData("/etc/evil.txt", "absolute path")]
    public void Entries_escaping_the_folder_are_refused(string name, string why)
    {
        using var dir = new TempDir();
        using MemoryStream tar = Tar(w => File(w, name, "x"));
        var e = Assert.Throws<InvalidDataException>(() => SafeArchive.ExtractTar(tar, Path.Combine(dir, "out"), gzipped: false, "evil.tgz"));
        Assert.Contains("evil.tgz", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains(why, e.Message);
        Assert.False(System.IO.File.Exists(Path.Combine(dir, "evil.txt")));
    }

    [Theory]
    [InlineData("../../outside")]
    [InlineData("/etc/passwd")]
    public void Links_pointing_outside_are_refused(string target)
    {
        using var dir = new TempDir();
        using MemoryStream tar = Tar(w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "top/link") { LinkName = target }));
        var e = Assert.Throws<InvalidDataException>(() => SafeArchive.ExtractTar(tar, dir, gzipped: false, "links.tar"));
        Assert.Contains("top/link", e.Message);
    }

    [Fact]
    public void Zip_entries_escaping_the_folder_are_refused()
    {
        using var dir = new TempDir();
        var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = zip.CreateEntry("ok/a.txt").Open()) s.WriteByte(1);
            using (var s = zip.CreateEntry("../b.txt").Open()) s.WriteByte(2);
        }
        m.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => SafeArchive.ExtractZip(m, Path.Combine(dir, "out"), "x.zip"));
        Assert.Contains("../b.txt", e.Message);
        Assert.False(System.IO.File.Exists(Path.Combine(dir, "b.txt")));
    }

    [Fact]
    public void Gzipped_tars_extract()
    {
        using var dir = new TempDir();
        using MemoryStream tar = Tar(w => File(w, "a/b.txt", "beta"));
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) tar.CopyTo(z);
        gz.Position = 0;
        SafeArchive.ExtractTar(gz, dir, gzipped: true, "x.tgz");
        Assert.Equal("beta", System.IO.File.ReadAllText(Path.Combine(dir, "a", "b.txt")));
    }
}
