using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Decodes every generated BMP and requires exact equality with PIL 9.4.</summary>
public class BmpAssetTests
{
    public static IEnumerable<object[]> Files => TestAssets.Named("bmp_", ".bmp");

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPilExactly(string name)
    {
        Image img = BmpDecoder.Decode(TestAssets.Read(name), name);
        var (w, h, c, pixels, _) = TestAssets.Expected(name);
        Assert.Equal(w, img.Width);
        Assert.Equal(h, img.Height);
        Assert.Equal(c, img.Channels);
        Assert.Equal(pixels, img.Pixels);
    }

    [Theory]
    [InlineData("bmp_8bit_gray_33x6.bmp", 1)]     // identity gray ramp: PIL mode L
    [InlineData("bmp_1bit_bw_mode1_9x5.bmp", 1)]  // black/white palette: PIL mode 1
    [InlineData("bmp_8bit_13x4.bmp", 3)]          // colour palette: PIL mode P -> RGB
    [InlineData("bmp_32bit_v5_bgra_4x3.bmp", 3)]  // PIL mode RGBA: alpha dropped
    public void ChannelCountFollowsPilMode(string name, int channels)
    {
        Assert.Equal(channels, BmpDecoder.Decode(TestAssets.Read(name)).Channels);
    }
}
