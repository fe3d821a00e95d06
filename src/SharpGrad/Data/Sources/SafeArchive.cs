using System.Formats.Tar;
using System.IO.Compression;

namespace SharpGrad.Data.Sources;

/// <summary>
/// Extracts tar (optionally gzipped) and zip archives into a folder, refusing any entry that would land outside it:
/// absolute paths, <c>..</c> segments, and symbolic or hard links whose target leaves the folder. Devices and FIFOs are skipped.
/// </summary>
internal static class SafeArchive
{
    /// <summary>Extracts a tar stream (gzip-compressed when <paramref name="gzipped"/>) under <paramref name="target"/>.</summary>
    /// <exception cref="InvalidDataException">An entry escapes <paramref name="target"/> or the archive is corrupt; the message names the entry.</exception>
    public static int ExtractTar(Stream archive, string target, bool gzipped, string source)
    {
        string root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        using Stream input = gzipped ? new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true) : archive;
        using var tar = new TarReader(input, leaveOpen: true);
        int files = 0;
        while (tar.GetNextEntry() is { } entry)
        {
            string path = Resolve(root, entry.Name, source);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    using (var output = new FileStream(path, FileMode.Create, FileAccess.Write))
                        entry.DataStream?.CopyTo(output);
                    files++;
                    break;
                case TarEntryType.SymbolicLink:
                {
                    string linkTarget = Path.IsPathRooted(entry.LinkName)
                        ? throw Escape(source, entry.Name, $"is a link to the absolute path '{entry.LinkName}'")
                        : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, entry.LinkName));
                    if (!Inside(root, linkTarget)) throw Escape(source, entry.Name, $"is a link to '{entry.LinkName}', outside the target folder");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                }
                case TarEntryType.HardLink:
                {
                    string linkTarget = Resolve(root, entry.LinkName, source);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.Copy(linkTarget, path, overwrite: true);
                    files++;
                    break;
                }
                default:
                    break; // pax/GNU metadata is consumed by TarReader; devices, FIFOs and the like are not data
            }
        }
        return files;
    }

    /// <summary>Extracts a zip stream under <paramref name="target"/>.</summary>
    public static int ExtractZip(Stream archive, string target, string source)
    {
        string root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        int files = 0;
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            string path = Resolve(root, entry.FullName, source);
            if (entry.FullName.EndsWith('/')) { Directory.CreateDirectory(path); continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using Stream input = entry.Open();
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write);
            input.CopyTo(output);
            files++;
        }
        return files;
    }

    /// <summary>The full path of <paramref name="name"/> under <paramref name="root"/>, or an error when it would leave it.</summary>
    internal static string Resolve(string root, string name, string source)
    {
        if (string.IsNullOrEmpty(name)) throw Escape(source, name, "has an empty name");
        string normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || Path.IsPathRooted(name) || (normalized.Length >= 2 && normalized[1] == ':'))
            throw Escape(source, name, "has an absolute path");
        if (normalized.Split('/').Any(part => part == ".."))
            throw Escape(source, name, "contains '..'");
        string full = Path.GetFullPath(Path.Combine(root, normalized));
        if (!Inside(root, full)) throw Escape(source, name, "resolves outside the target folder");
        return full;
    }

    private static bool Inside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static InvalidDataException Escape(string source, string entry, string why) =>
        new($"{source}: archive entry '{entry}' {why}; refusing to extract it.");
}
