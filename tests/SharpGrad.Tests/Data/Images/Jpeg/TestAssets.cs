using System.IO.Compression;
using System.Security.Cryptography;
using SharpGrad.Data.Images;

namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Access to the generated assets and PIL's expected pixels (see generate_jpeg_bmp_assets.py).</summary>
internal static class TestAssets
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "assets", "jpeg-bmp");

    public static string PathOf(string name) => Path.Combine(Dir, name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    public static IEnumerable<object[]> Named(string prefix, string extension) =>
        Directory.GetFiles(Dir, prefix + "*" + extension)
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(n => new object[] { n! });

    /// <summary>Expected pixels stored beside the asset, or null when only a hash is stored.</summary>
    public static (int Width, int Height, int Channels, byte[]? Pixels, string? Sha256) Expected(string name)
    {
        string raw = PathOf(name) + ".raw";
        if (File.Exists(raw))
        {
            using var z = new ZLibStream(File.OpenRead(raw), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            z.CopyTo(ms);
            byte[] b = ms.ToArray();
            int w = BitConverter.ToInt32(b, 0);
            int h = BitConverter.ToInt32(b, 4);
            int c = BitConverter.ToInt32(b, 8);
            byte[] px = b.AsSpan(12).ToArray();
            Assert.Equal((long)w * h * c, px.Length);
            for (int y = 0; y < h; y++)
            {
                int row = y * w * c;
                for (int i = c; i < w * c; i++)
                {
                    px[row + i] = (byte)(px[row + i] + px[row + i - c]);
                }
            }

            return (w, h, c, px, null);
        }

        string[] parts = File.ReadAllText(PathOf(name) + ".sha256").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]), null, parts[3]);
    }

    /// <summary>Maximum and mean absolute difference between two equally sized buffers.</summary>
    public static (int Max, double Mean) Diff(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int max = 0;
        long sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / expected.Length);
    }

    public static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Asserts that decoding fails with <see cref="ImageDecodeException"/> and returns its message.</summary>
    public static string DecodeError(Func<Image> decode)
    {
        var e = Assert.Throws<ImageDecodeException>(() => decode());
        return e.Message;
    }
}
