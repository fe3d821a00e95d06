using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images;

public class ImageTests
{
    [Fact]
    public void Constructor_validates_its_arguments()
    {
        Assert.Contains("width", Assert.Throws<ArgumentException>(() => new Image(0, 1, 1)).Message);
        Assert.Contains("height", Assert.Throws<ArgumentException>(() => new Image(1, -2, 1)).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => new Image(1, 1, 2)).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => new Image(1, 1, 4, new byte[4])).Message);
        var e = Assert.Throws<ArgumentException>(() => new Image(2, 2, 3, new byte[11]));
        Assert.Equal("pixels", e.ParamName);
        Assert.Contains("11", e.Message);
        Assert.Throws<ArgumentNullException>(() => new Image(1, 1, 1, null!));
        Assert.Throws<ArgumentException>(() => new Image(100_000, 100_000, 3));
    }

    [Fact]
    public void Wraps_pixels_without_copying()
    {
        var pixels = new byte[6];
        var image = new Image(2, 1, 3, pixels);
        Assert.Same(pixels, image.Pixels);
        Assert.Equal((2, 1, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(new byte[5], new Image(5, 1, 1).Pixels);
    }

    [Fact]
    public void ToGray_uses_PILs_integer_formula()
    {
        // Values computed by PIL 9.4: Image.new('RGB', (1, 1), c).convert('L').getpixel((0, 0)).
        (byte R, byte G, byte B, byte L)[] cases =
        [
            (255, 0, 0, 76), (0, 255, 0, 150), (0, 0, 255, 29), (255, 255, 255, 255), (0, 0, 0, 0),
            (1, 1, 1, 1), (128, 64, 32, 79), (10, 200, 30, 124), (254, 1, 1, 77), (3, 2, 1, 2),
        ];
        foreach (var (r, g, b, l) in cases)
        {
            var gray = new Image(1, 1, 3, [r, g, b]).ToGray();
            Assert.Equal(1, gray.Channels);
            Assert.True(l == gray.Pixels[0], $"({r}, {g}, {b}): expected {l}, got {gray.Pixels[0]}");
        }
        // Gray levels survive a round trip through RGB exactly: the weights sum to 65536.
        for (int v = 0; v < 256; v++) Assert.Equal(v, new Image(1, 1, 1, [(byte)v]).ToRgb().ToGray().Pixels[0]);
    }

    [Fact]
    public void Conversions_return_new_images()
    {
        var gray = new Image(2, 1, 1, [7, 9]);
        var rgb = gray.ToRgb();
        Assert.Equal(new byte[] { 7, 7, 7, 9, 9, 9 }, rgb.Pixels);
        Assert.NotSame(gray.Pixels, gray.ToGray().Pixels);
        Assert.NotSame(rgb.Pixels, rgb.ToRgb().Pixels);
        Assert.Equal(rgb.Pixels, rgb.ToRgb().Pixels);
    }
}
