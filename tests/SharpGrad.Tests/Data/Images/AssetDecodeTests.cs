using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images;

/// <summary>Every asset decodes to exactly the pixels PIL 9.4 gives (generate_png_assets.py wrote both).</summary>
public class AssetDecodeTests
{
    [Theory]
    [MemberData(nameof(PngAssets.Names), MemberType = typeof(PngAssets))]
    public void Decodes_like_PIL(string name)
    {
        var asset = PngAssets.Get(name);
        var image = PngDecoder.Decode(asset.ReadBytes(), name);
        Assert.Equal((asset.Width, asset.Height, asset.Channels), (image.Width, image.Height, image.Channels));
        AssertPixels(asset.Pixels, image.Pixels, name);
    }

    [Theory]
    [MemberData(nameof(PngAssets.Names), MemberType = typeof(PngAssets))]
    public void Converts_to_the_other_mode_like_PIL(string name)
    {
        var asset = PngAssets.Get(name);
        var image = PngDecoder.Decode(asset.ReadBytes(), name);
        var other = image.Channels == 1 ? image.ToRgb() : image.ToGray();
        Assert.Equal(4 - image.Channels, other.Channels);
        AssertPixels(asset.OtherPixels, other.Pixels, name);
    }

    [Fact]
    public void Covers_every_colour_type_and_bit_depth_with_and_without_interlacing()
    {
        int[][] depths = [[1, 2, 4, 8, 16], [], [8, 16], [1, 2, 4, 8], [8, 16], [], [8, 16]];
        for (int ct = 0; ct < depths.Length; ct++)
            foreach (int bd in depths[ct])
                foreach (string suffix in new[] { "17x9", "17x9_adam7", "3x5_adam7", "1x1", "1x1_adam7" })
                    Assert.NotNull(PngAssets.Get($"hand_ct{ct}_{bd}bit_{suffix}.png"));
    }

    [Fact]
    public void DecodeFile_reads_the_file_and_names_it_in_errors()
    {
        var asset = PngAssets.Get("pil_RGB_23x11.png");
        Assert.Equal(asset.Pixels, PngDecoder.DecodeFile(asset.Path).Pixels);

        string broken = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sharpgrad-broken-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(broken, asset.ReadBytes()[..40]);
            var e = Assert.Throws<ImageDecodeException>(() => PngDecoder.DecodeFile(broken));
            Assert.StartsWith(broken + ": ", e.Message);
            Assert.Equal(broken, e.SourceName);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Decodes_concurrently()
    {
        var assets = PngAssets.Each.ToArray();
        var files = assets.Select(a => a.ReadBytes()).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, assets.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int k = i % assets.Length;
            var image = PngDecoder.Decode(files[k], assets[k].Name);
            if (!image.Pixels.AsSpan().SequenceEqual(assets[k].Pixels)) failures.Add(assets[k].Name);
        });
        Assert.Empty(failures);
    }

    internal static void AssertPixels(byte[] expected, byte[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        int i = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(i == expected.Length, $"{name}: first difference at byte {i}: expected {(i < expected.Length ? expected[i] : 0)}, got {(i < actual.Length ? actual[i] : 0)}");
    }
}
