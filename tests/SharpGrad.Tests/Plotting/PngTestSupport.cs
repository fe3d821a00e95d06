using SharpGrad.Plotting;
using SkiaSharp;

namespace SharpGrad.Tests.Plotting;

/// <summary>A fresh temporary folder per test class, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>The folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharpgrad-plot-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Creates the folder.</summary>
    public TempFolder() => Directory.CreateDirectory(Path);

    /// <summary>A file path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Decoded PNG pixels and checks on them.</summary>
public sealed class Png
{
    private readonly SKColor[] _pixels;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    private Png(SKBitmap bitmap)
    {
        Width = bitmap.Width;
        Height = bitmap.Height;
        _pixels = bitmap.Pixels;
    }

    /// <summary>Decodes the PNG at <paramref name="path"/>, failing the test if it is not a PNG.</summary>
    public static Png Load(string path)
    {
        Assert.True(System.IO.File.Exists(path), $"{path} was not written");
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G',
            $"{path} is not a PNG file");
        using SKBitmap? bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return new Png(bitmap);
    }

    /// <summary>The colour at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public SKColor At(int x, int y) => _pixels[y * Width + x];

    /// <summary>Number of distinct colours.</summary>
    public int DistinctColors => _pixels.Distinct().Count();

    /// <summary>Pixels matching <paramref name="predicate"/> inside the given rows (all rows by default).</summary>
    public int Count(Func<SKColor, bool> predicate, int fromRow = 0, int toRow = int.MaxValue)
    {
        int count = 0;
        for (int y = Math.Max(0, fromRow); y < Math.Min(Height, toRow); y++)
        {
            for (int x = 0; x < Width; x++)
            {
                if (predicate(At(x, y)))
                    count++;
            }
        }
        return count;
    }

    /// <summary>First row more than half of which is dark: the top line of the data-area frame.</summary>
    public int FrameTop() => Enumerable.Range(0, Height).First(y => Count(Png.IsDark, y, y + 1) > Width / 2);

    /// <summary>Last row more than half of which is dark: the bottom line of the data-area frame.</summary>
    public int FrameBottom() => Enumerable.Range(0, Height).Last(y => Count(Png.IsDark, y, y + 1) > Width / 2);

    /// <summary>First column more than half of which is dark: the left line of the data-area frame.</summary>
    public int FrameLeft() => Enumerable.Range(0, Width).First(x => Enumerable.Range(0, Height).Count(y => IsDark(At(x, y))) > Height / 2);

    /// <summary>Close to pure red (matplotlib's 'r').</summary>
    public static bool IsRed(SKColor c) => c.Red >= 235 && c.Green <= 30 && c.Blue <= 30;

    /// <summary>Dark enough to be text or a frame line.</summary>
    public static bool IsDark(SKColor c) => c.Red < 100 && c.Green < 100 && c.Blue < 100;

    /// <summary>Close to <paramref name="expected"/> in every channel.</summary>
    public static bool IsNear(SKColor c, SKColor expected, int tolerance = 24) =>
        Math.Abs(c.Red - expected.Red) <= tolerance && Math.Abs(c.Green - expected.Green) <= tolerance && Math.Abs(c.Blue - expected.Blue) <= tolerance;

    /// <summary>Asserts the image is <paramref name="width"/> x <paramref name="height"/> and not blank.</summary>
    public Png AssertPlot(int width, int height, int minColors = 8)
    {
        Assert.Equal(width, Width);
        Assert.Equal(height, Height);
        Assert.True(DistinctColors >= minColors, $"only {DistinctColors} distinct colours: the plot looks blank");
        return this;
    }
}
