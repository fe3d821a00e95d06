using SharpGrad.Plotting;
using SkiaSharp;

namespace SharpGrad.Tests.Plotting;

public sealed class ImageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static float[] Filled(float value, int length = 28 * 28) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>
    /// The grid is gap + cols * (cell + gap) wide; recover the gap from the output width so the test does not
    /// depend on the exact spacing, then return the output pixel at the centre of image <paramref name="index"/>.
    /// </summary>
    private static SKColor CellCentre(Png png, int index, int cols, int rows, int cellWidth, int cellHeight, int titleBand = 0)
    {
        int gap = (png.Width - cols * cellWidth) / (cols + 1);
        Assert.Equal(png.Width, gap + cols * (cellWidth + gap));
        Assert.Equal(png.Height, gap + rows * (titleBand + cellHeight + gap));
        int col = index % cols, row = index / cols;
        int x = gap + col * (cellWidth + gap) + cellWidth / 2;
        int y = gap + row * (titleBand + cellHeight + gap) + titleBand + cellHeight / 2;
        return png.At(x, y);
    }

    [Fact]
    public void Grayscale_grid_pixels_are_exact_and_clamped()
    {
        string path = _folder.File("grid.png");
        // white, black, above range (clamped to white), below range (clamped to black)
        Plots.Images(path, [Filled(1f), Filled(0f), Filled(7f), Filled(-3f)], 28, 28);

        Png png = Png.Load(path);
        Assert.Equal(new SKColor(255, 255, 255), CellCentre(png, 0, 2, 2, 56, 56));
        Assert.Equal(new SKColor(0, 0, 0), CellCentre(png, 1, 2, 2, 56, 56));
        Assert.Equal(new SKColor(255, 255, 255), CellCentre(png, 2, 2, 2, 56, 56));
        Assert.Equal(new SKColor(0, 0, 0), CellCentre(png, 3, 2, 2, 56, 56));
        // Every pixel of both black cells is black: 2 cells x 56 x 56, and nothing else in the figure is dark.
        Assert.Equal(2 * 56 * 56, png.Count(c => c == new SKColor(0, 0, 0)));
        Assert.Equal(2 * 56 * 56, png.Count(Png.IsDark));
    }

    [Fact]
    public void Gray_levels_map_linearly()
    {
        string path = _folder.File("gray.png");
        Plots.Images(path, [Filled(0.5f, 16), Filled(0.25f, 16)], 4, 4, columns: 2, cellPixels: 5);
        Png png = Png.Load(path);
        SKColor half = CellCentre(png, 0, 2, 1, 20, 20), quarter = CellCentre(png, 1, 2, 1, 20, 20);
        Assert.InRange((int)half.Red, 127, 128);
        Assert.Equal(half.Red, half.Green);
        Assert.Equal(half.Red, half.Blue);
        Assert.InRange((int)quarter.Red, 63, 64);
    }

    [Fact]
    public void Rgb_is_read_in_hwc_order_and_255_scale_is_accepted()
    {
        // 2x2 image, HWC: top-left red, top-right green, bottom-left blue, bottom-right white.
        float[] hwc = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        string path = _folder.File("rgb.png");
        Plots.Image(path, hwc, 2, 2, channels: 3, cellPixels: 10, maxValue: 255f);

        Png png = Png.Load(path);
        int gap = (png.Width - 20) / 2;
        Assert.Equal(png.Width, png.Height);
        Assert.Equal(new SKColor(255, 0, 0), png.At(gap + 5, gap + 5));
        Assert.Equal(new SKColor(0, 255, 0), png.At(gap + 15, gap + 5));
        Assert.Equal(new SKColor(0, 0, 255), png.At(gap + 5, gap + 15));
        Assert.Equal(new SKColor(255, 255, 255), png.At(gap + 15, gap + 15));
    }

    [Fact]
    public void Single_image_defaults_to_four_pixels_per_pixel_and_no_frame()
    {
        string path = _folder.File("three.png");
        Plots.Image(path, Filled(0f), 28, 28);
        Png png = Png.Load(path);
        int gap = (png.Width - 112) / 2;
        Assert.Equal(png.Width, 112 + 2 * gap);
        Assert.Equal(png.Width, png.Height);
        // Only the image itself is dark: no axes, ticks or frame around it.
        Assert.Equal(112 * 112, png.Count(Png.IsDark));
        Assert.Equal(new SKColor(255, 255, 255), png.At(0, 0));
    }

    [Fact]
    public void Titles_are_drawn_above_the_images()
    {
        string plain = _folder.File("plain.png"), titled = _folder.File("titled.png");
        float[][] images = [Filled(1f), Filled(1f), Filled(1f)];
        Plots.Images(plain, images, 28, 28);
        Plots.Images(titled, images, 28, 28, titles: ["three", "seven", ""]);

        Png a = Png.Load(plain), b = Png.Load(titled);
        Assert.Equal(0, a.Count(Png.IsDark));
        Assert.True(b.Height > a.Height, "titles need a band above the images");
        Assert.True(b.Count(Png.IsDark) > 20, "title text missing");
        // White images stay white under their titles.
        int band = (b.Height - a.Height) / 2; // 2 rows (ceil(sqrt(3)) = 2 columns)
        Assert.Equal(new SKColor(255, 255, 255), CellCentre(b, 0, 2, 2, 56, 56, band));
    }

    [Fact]
    public void Long_titles_widen_the_columns()
    {
        string path = _folder.File("wide.png");
        Plots.Images(path, [Filled(0f, 4)], 2, 2, titles: ["a rather long title for a tiny image"]);
        Png png = Png.Load(path);
        Assert.True(png.Width > 150, $"width {png.Width}: the title would be cut");
        Assert.True(png.Count(Png.IsDark) > 16 + 50);
    }

    [Theory]
    [InlineData(5, 0, 3, 2)]
    [InlineData(5, 5, 5, 1)]
    [InlineData(3, 10, 3, 1)]
    [InlineData(4, 1, 1, 4)]
    [InlineData(1, 0, 1, 1)]
    public void Columns_set_the_grid_shape(int count, int columns, int expectedCols, int expectedRows)
    {
        string path = _folder.File($"cols-{count}-{columns}.png");
        Plots.Images(path, Enumerable.Range(0, count).Select(_ => Filled(0f, 9)).ToList(), 3, 3, columns: columns, cellPixels: 10);
        Png png = Png.Load(path);
        CellCentre(png, count - 1, expectedCols, expectedRows, 30, 30); // asserts the layout
        Assert.Equal(count * 900, png.Count(Png.IsDark));
    }

    [Fact]
    public void Bad_images_are_rejected()
    {
        string p = _folder.File("x.png");
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => Plots.Images(p, [], 28, 28)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Plots.Images(p, null!, 28, 28));
        Assert.Contains("images[1]", Assert.Throws<ArgumentNullException>(() => Plots.Images(p, [Filled(0), null!], 28, 28)).Message);
        var length = Assert.Throws<ArgumentException>(() => Plots.Images(p, [Filled(0), Filled(0, 10)], 28, 28));
        Assert.Contains("images[1] has 10 values", length.Message);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0, 8)], 2, 2, channels: 2)).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0, 0)], 0, 2)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0, 0)], 2, -1)).ParamName);
        Assert.Equal("cellPixels", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0)], 28, 28, cellPixels: 0)).ParamName);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0)], 28, 28, maxValue: 0)).ParamName);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Images(p, [Filled(0)], 28, 28, maxValue: float.NaN)).ParamName);
        Assert.Equal("titles", Assert.Throws<ArgumentException>(() => Plots.Images(p, [Filled(0)], 28, 28, titles: ["a", "b"])).ParamName);
        Assert.Equal("cellPixels", Assert.Throws<ArgumentException>(() => Plots.Images(p, [Filled(0)], 28, 28, cellPixels: 1000)).ParamName);
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => Plots.Image(p, Filled(0, 5), 2, 2)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Plots.Image(p, null!, 2, 2));
        Assert.False(File.Exists(p));
    }
}
