namespace SharpGrad.Data.Sources;

/// <summary>A copy already installed on this machine (e.g. by the Debian package), raw or gzipped, in one of a few folders.</summary>
internal sealed class SystemCopySource(params string[] directories) : FileSource
{
    public override string Describe() => "installed copy in " + string.Join(" or ", directories);

    public override void Fetch(FileFetch fetch)
    {
        string? dir = directories.FirstOrDefault(Directory.Exists)
            ?? throw new SourceFailedException("not installed");
        foreach (DatasetFile file in fetch.Wanted)
        {
            string raw = Path.Combine(dir, file.Name), gz = raw + ".gz";
            if (File.Exists(raw)) { using var s = File.OpenRead(raw); fetch.Offer(file, s, gzipped: false); }
            else if (File.Exists(gz)) { using var s = File.OpenRead(gz); fetch.Offer(file, s, gzipped: true); }
        }
    }
}
