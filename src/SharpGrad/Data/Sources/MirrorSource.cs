namespace SharpGrad.Data.Sources;

/// <summary>An HTTP(S) mirror serving each file gzipped at <c>{baseUrl}{name}.gz</c>, as the MNIST mirrors do.</summary>
internal sealed class MirrorSource(string baseUrl) : FileSource
{
    private readonly string _base = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";

    public override string Describe() => _base;

    public override void Fetch(FileFetch fetch)
    {
        foreach (DatasetFile file in fetch.Wanted)
        {
            string url = _base + file.Name + ".gz";
            using Stream s = Http.Open(url, $"{fetch.Dataset}: {file.Name}.gz", fetch);
            fetch.Offer(file, s, gzipped: true);
        }
    }
}
