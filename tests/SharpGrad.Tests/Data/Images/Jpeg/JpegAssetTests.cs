using SharpGrad.Data.Images;
using Xunit.Abstractions;

namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Decodes every generated JPEG and compares it with PIL 9.4 (libjpeg-turbo 2.1.5).</summary>
public class JpegAssetTests
{
    // The decoder reproduces libjpeg's integer IDCT, fancy upsampling and colour conversion
    // arithmetic, so the expected difference from PIL is zero for every asset.
    private const int Tolerance = 0;

    private readonly ITestOutputHelper _output;

    public JpegAssetTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Files => TestAssets.Named("jpeg_", ".jpg");

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPil(string name)
    {
        Image img = JpegDecoder.Decode(TestAssets.Read(name), name);
        var (w, h, c, pixels, sha) = TestAssets.Expected(name);
        Assert.Equal(w, img.Width);
        Assert.Equal(h, img.Height);
        Assert.Equal(c, img.Channels);
        Assert.Equal((long)w * h * c, img.Pixels.Length);
        if (pixels is null)
        {
            Assert.Equal(sha, TestAssets.Sha256Hex(img.Pixels));
            _output.WriteLine($"{name}: identical to PIL (SHA-256)");
            return;
        }

        var (max, mean) = TestAssets.Diff(pixels, img.Pixels);
        _output.WriteLine($"{name}: max abs diff {max}, mean {mean:F4}");
        Assert.True(max <= Tolerance, $"{name}: max abs diff {max} (mean {mean:F4}) exceeds {Tolerance}");
    }

    [Fact]
    public void GrayJpegGivesOneChannelAndColourGivesThree()
    {
        Assert.Equal(1, JpegDecoder.Decode(TestAssets.Read("jpeg_gray_q90_28x28.jpg")).Channels);
        Assert.Equal(3, JpegDecoder.Decode(TestAssets.Read("jpeg_rgb420_q75_64x64.jpg")).Channels);
    }

    [Fact]
    public void ExifOrientationIsNotApplied()
    {
        Image img = JpegDecoder.Decode(TestAssets.Read("jpeg_rgb420_exif_q80_20x12.jpg"));
        Assert.Equal(20, img.Width);
        Assert.Equal(12, img.Height);
    }

    [Fact]
    public void ConcurrentDecodesAgreeWithSequentialOnes()
    {
        string[] names = Files.Select(f => (string)f[0]).ToArray();
        byte[][] inputs = names.Select(TestAssets.Read).ToArray();
        byte[][] sequential = inputs.Select(d => ImageDecoder.Decode(d).Pixels).ToArray();
        var parallel = new byte[inputs.Length * 4][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            parallel[i] = ImageDecoder.Decode(inputs[i % inputs.Length]).Pixels;
        });

        for (int i = 0; i < parallel.Length; i++)
        {
            Assert.Equal(sequential[i % inputs.Length], parallel[i]);
        }
    }
}
