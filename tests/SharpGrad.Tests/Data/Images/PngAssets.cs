using SharpGrad.Data.Images;
using System.Text.Json;

namespace SharpGrad.Tests.Data.Images;

/// <summary>One PNG from assets/ and the pixels PIL 9.4 decodes from it (see generate_png_assets.py).</summary>
public sealed record PngAsset(string Name, int Width, int Height, int Channels, string PilMode, byte[] Pixels, byte[] OtherPixels)
{
    public string Path => System.IO.Path.Combine(PngAssets.Directory, Name);

    public byte[] ReadBytes() => File.ReadAllBytes(Path);
}

/// <summary>The test PNGs and expected.json, copied beside the test assembly.</summary>
public static class PngAssets
{
    public static string Directory => System.IO.Path.Combine(AppContext.BaseDirectory, "assets", "png");

    private static readonly Lazy<IReadOnlyDictionary<string, PngAsset>> All = new(Load);

    public static PngAsset Get(string name) => All.Value[name];

    public static IEnumerable<PngAsset> Each => All.Value.Values;

    public static IEnumerable<object[]> Names() => All.Value.Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    private static IReadOnlyDictionary<string, PngAsset> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Directory, "expected.json")));
        var assets = new Dictionary<string, PngAsset>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            var e = entry.Value;
            assets[entry.Name] = new PngAsset(entry.Name,
                e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32(), e.GetProperty("channels").GetInt32(),
                e.GetProperty("pil_mode").GetString()!,
                Convert.FromBase64String(e.GetProperty("pixels").GetString()!),
                Convert.FromBase64String(e.GetProperty("other_pixels").GetString()!));
        }
        return assets;
    }
}
