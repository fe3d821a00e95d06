using SharpGrad.Data.Images;
using System.IO.Compression;

namespace SharpGrad.Tests.Data.Images;

/// <summary>Encoding then decoding gives the image back, for gray and RGB images of many sizes and contents.</summary>
public class RoundTripTests
{
    public static IEnumerable<object[]> Sizes()
    {
        int[][] sizes = [[1, 1], [1, 9], [9, 1], [2, 3], [28, 28], [31, 17], [64, 3], [131, 5], [7, 70]];
        foreach (var s in sizes)
            foreach (int channels in new[] { 1, 3 })
                yield return [s[0], s[1], channels];
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Encode_then_decode_returns_the_pixels(int width, int height, int channels)
    {
        var rng = new Random(width * 1000 + height * 10 + channels);
        foreach (var pixels in Contents(rng, width * height * channels, width * channels))
        {
            var image = new Image(width, height, channels, pixels);
            foreach (var level in new[] { CompressionLevel.Optimal, CompressionLevel.Fastest, CompressionLevel.SmallestSize, CompressionLevel.NoCompression })
            {
                var decoded = PngDecoder.Decode(PngEncoder.Encode(image, level));
                Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
                Assert.Equal(pixels, decoded.Pixels);
            }
        }
    }

    [Fact]
    public void Large_images_round_trip()
    {
        // Over 1 MiB of scanlines: adaptive filtering only, wide rows through the vectorised Up path.
        const int w = 1000, h = 400;
        var pixels = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w * 3; x++)
                pixels[y * w * 3 + x] = (byte)(x / 3 * (x % 3 + 1) + y * 7 + (x * y % 13 == 0 ? 100 : 0));
        var image = new Image(w, h, 3, pixels);
        Assert.Equal(pixels, PngDecoder.Decode(PngEncoder.Encode(image)).Pixels);
        var gray = image.ToGray();
        Assert.Equal(gray.Pixels, PngDecoder.Decode(PngEncoder.Encode(gray)).Pixels);
    }

    [Fact]
    public void Encoding_is_deterministic_and_the_stream_overload_writes_the_same_bytes()
    {
        var pixels = new byte[40 * 30 * 3];
        new Random(3).NextBytes(pixels);
        var image = new Image(40, 30, 3, pixels);
        byte[] a = PngEncoder.Encode(image);
        Assert.Equal(a, PngEncoder.Encode(image));
        var stream = new MemoryStream();
        stream.WriteByte(0xAA); // the encoder appends at the current position
        PngEncoder.Encode(image, stream);
        Assert.Equal(a, stream.ToArray()[1..]);
    }

    [Fact]
    public void Output_is_a_plain_PNG_with_IHDR_IDAT_IEND()
    {
        byte[] png = PngEncoder.Encode(new Image(5, 4, 1));
        Assert.Equal(PngBuilder.Signature, png[..8]);
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, PngBuilder.Chunks(png).Select(c => c.Type));
        Assert.Equal(PngBuilder.IhdrData(5, 4, 8, 0), png.AsSpan(16, 13).ToArray());
        Assert.Equal(PngBuilder.IhdrData(5, 4, 8, 2), PngEncoder.Encode(new Image(5, 4, 3)).AsSpan(16, 13).ToArray());
    }

    [Fact]
    public void Digits_encode_small()
    {
        // An MNIST-like 28x28 digit written by PIL is a few hundred bytes; ours should be no bigger.
        foreach (var name in new[] { "pil_mnist_like_digit0.png", "pil_mnist_like_digit1.png", "pil_mnist_like_digit2.png" })
        {
            var asset = PngAssets.Get(name);
            byte[] ours = PngEncoder.Encode(PngDecoder.Decode(asset.ReadBytes()));
            Assert.True(ours.Length <= asset.ReadBytes().Length + 16, $"{name}: ours {ours.Length} bytes, PIL's {asset.ReadBytes().Length}");
            Assert.Equal(asset.Pixels, PngDecoder.Decode(ours).Pixels);
        }
    }

    [Fact]
    public void Rejects_null_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => PngEncoder.Encode(null!));
        Assert.Throws<ArgumentNullException>(() => PngEncoder.Encode(new Image(1, 1, 1), null!));
    }

    /// <summary>Noise, flat, gradients and sparse strokes: each favours a different filter.</summary>
    private static IEnumerable<byte[]> Contents(Random rng, int n, int stride)
    {
        var noise = new byte[n];
        rng.NextBytes(noise);
        yield return noise;
        yield return new byte[n];
        yield return Enumerable.Range(0, n).Select(i => (byte)(i % stride * 3 + i / stride * 5)).ToArray();
        yield return Enumerable.Range(0, n).Select(i => (byte)(rng.Next(10) == 0 ? 255 : 0)).ToArray();
    }
}
