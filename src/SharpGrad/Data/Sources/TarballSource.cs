namespace SharpGrad.Data.Sources;

/// <summary>A folder dataset published as a .tgz (fastai's <c>mnist_sample.tgz</c>), extracted safely; <paramref name="topFolder"/> is the archive's single top folder, whose contents become the dataset.</summary>
internal sealed class TarballSource(string url, string topFolder) : FolderSource
{
    public override string Describe() => url;

    public override void Build(string staging, FetchContext context)
    {
        string extracted = staging + ".extract";
        try
        {
            using (Stream s = Http.Open(url, $"{context.Dataset}: {Path.GetFileName(url)}", context))
                SafeArchive.ExtractTar(s, extracted, gzipped: true, url);
            string top = Path.Combine(extracted, topFolder);
            if (!Directory.Exists(top)) throw new SourceFailedException($"{url}: the archive has no '{topFolder}' folder");
            Directory.Delete(staging);
            Directory.Move(top, staging);
        }
        catch (InvalidDataException e)
        {
            throw new SourceFailedException($"{url}: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(extracted)) Directory.Delete(extracted, recursive: true);
        }
    }
}
