using System.Text;
using SharpGrad.Tests.Data;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Vision;

/// <summary>A pretrained package that is truncated or altered is refused, with the reason, and leaves the cache as it was.</summary>
public class PretrainedFetchTests
{
    private static readonly PretrainedModel Model = PretrainedModel.Resnet18Cntk;
    private static readonly string NupkgPath = $"flat/microsoft.ml.dnnimagefeaturizer.resnet18/0.24.0/{Model.Package.Name}";

    private static void AssertCacheUntouched(string data)
    {
        string dir = Path.Combine(data, "models", Model.Name);
        Assert.Empty(Directory.Exists(dir) ? Directory.GetFiles(dir) : []);
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(data, "models")), d => Path.GetFileName(d).StartsWith(".staging", StringComparison.Ordinal));
    }

    [Fact]
    public void A_truncated_download_is_refused_naming_the_feed_and_the_length()
    {
        using var data = new TempDir();
        using var packages = new TempDir();
        var files = new Dictionary<string, byte[]> { [NupkgPath] = new byte[1_000_000] };
        using var server = new LocalHttpServer(files);
        // The service index names the server's own flat container, as a NuGet v3 feed's does.
        files["index.json"] = Encoding.UTF8.GetBytes($$"""{"version":"3.0.0","resources":[{"@id":"{{server.BaseUrl}}flat/","@type":"PackageBaseAddress/3.0.0"}]}""");
        var e = Assert.Throws<PretrainedUnavailableException>(() =>
            PretrainedFetcher.Get(Model, data, null, default, [server.BaseUrl + "index.json"], packages));
        Assert.Contains(server.BaseUrl + "index.json", e.Message);
        Assert.Contains("expected 59,500,309", e.Message);
        Assert.Contains(PretrainedFetcher.NuGetVariable, e.Message);
        AssertCacheUntouched(data);
    }

    [Fact]
    public void An_altered_package_of_the_right_length_fails_its_SHA_256()
    {
        using var data = new TempDir();
        using var packages = new TempDir();
        using var feed = new TempDir();
        File.WriteAllBytes(Path.Combine(feed, Model.Package.Name), new byte[Model.Package.Length]);
        var e = Assert.Throws<PretrainedUnavailableException>(() => PretrainedFetcher.Get(Model, data, null, default, [feed.Path], packages));
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains(Model.Package.Sha256, e.Message);
        AssertCacheUntouched(data);
    }
}
