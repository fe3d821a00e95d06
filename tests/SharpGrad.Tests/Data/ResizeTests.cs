using SharpGrad.Data;
using SharpGrad.Data.Images;

namespace SharpGrad.Tests.Data;

/// <summary>Resampling, fastai's item transforms and EXIF orientation against PIL goldens (tests/assets/resize/generate_resize_assets.py).</summary>
public class ResizeTests
{
    private static readonly string Assets = Path.Combine(AppContext.BaseDirectory, "assets", "resize");

    private static Image Load(string name) => ImageDecoder.DecodeUpright(File.ReadAllBytes(Path.Combine(Assets, name)), name);

    /// <summary>Pixel-for-pixel equality, with a failure message that says how far off and where.</summary>
    private static void AssertSamePixels(Image expected, Image actual, string what)
    {
        Assert.True(expected.Width == actual.Width && expected.Height == actual.Height && expected.Channels == actual.Channels,
            $"{what}: expected {expected.Width}x{expected.Height}x{expected.Channels}, got {actual.Width}x{actual.Height}x{actual.Channels}");
        int differ = 0, worst = 0, first = -1;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            if (d == 0) continue;
            differ++;
            worst = Math.Max(worst, d);
            if (first < 0) first = i;
        }
        Assert.True(differ == 0, $"{what}: {differ} of {expected.Pixels.Length} samples differ from PIL's (worst by {worst}; first at sample {first})");
    }

    [Theory]
    [InlineData("photo_rgb", 146, 109)]   // shrink 1.5x
    [InlineData("photo_rgb", 73, 54)]     // shrink 3x
    [InlineData("photo_rgb", 30, 22)]     // shrink 7.3x
    [InlineData("photo_rgb", 372, 277)]   // enlarge 1.7x
    [InlineData("photo_rgb", 100, 250)]   // shrink one axis, enlarge the other
    [InlineData("photo_rgb", 219, 80)]    // vertical pass only
    [InlineData("lineart_l", 146, 109)]
    [InlineData("lineart_l", 73, 54)]
    [InlineData("lineart_l", 30, 22)]
    [InlineData("lineart_l", 372, 277)]
    [InlineData("lineart_l", 100, 250)]
    [InlineData("lineart_l", 219, 80)]
    public void Resize_matches_PILs_antialiased_bilinear_exactly(string input, int width, int height) =>
        AssertSamePixels(Load($"resize_{input}_{width}x{height}.png"), Load($"{input}.png").Resize(width, height), $"{input} -> {width}x{height}");

    [Fact]
    public void Resize_to_the_same_size_is_a_copy_and_bad_sizes_are_refused()
    {
        Image photo = Load("photo_rgb.png");
        Assert.Equal(photo.Pixels, photo.Resize(photo.Width, photo.Height).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => photo.Resize(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resize(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resize((-3, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(64, minScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(64, minScale: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CenterCrop(0));
    }

    [Fact]
    public void A_one_pixel_image_resizes_crops_and_pads()
    {
        var dot = new Image(1, 1, 3, [10, 20, 30]);
        Image big = new Resize(8).Apply(dot, training: true, new Generator(1));
        Assert.Equal((8, 8), (big.Width, big.Height));
        Assert.All(Enumerable.Range(0, 64), i => Assert.Equal(new byte[] { 10, 20, 30 }, big.Pixels[(i * 3)..(i * 3 + 3)]));
        Assert.Equal((8, 8), (new Resize(8, ResizeMethod.Pad).Apply(dot, false, new Generator(1)) is var p ? (p.Width, p.Height) : default));
        Assert.Equal((8, 8), (new RandomResizedCrop(8).Apply(dot, true, new Generator(1)) is var r ? (r.Width, r.Height) : default));
    }

    public static TheoryData<string, ItemTransform, bool, double, double> Transforms() => new()
    {
        { "tfm_resize_crop_valid_64.png", new Resize(64), false, 0, 0 },
        { "tfm_resize_crop_train_64.png", new Resize(64), true, 0.2, 0.7 },
        { "tfm_resize_crop_valid_w48_h80.png", new Resize((80, 48)), false, 0, 0 },
        { "tfm_resize_pad_reflect_64.png", new Resize(64, ResizeMethod.Pad), false, 0, 0 },
        { "tfm_resize_pad_zeros_64.png", new Resize(64, ResizeMethod.Pad, PadMode.Zeros), false, 0, 0 },
        { "tfm_resize_pad_reflect_train_64.png", new Resize(64, ResizeMethod.Pad), true, 0.2, 0.7 },
        { "tfm_resize_squish_64.png", new Resize(64, ResizeMethod.Squish), false, 0, 0 },
        { "tfm_rrc_valid_64.png", new RandomResizedCrop(64), false, 0, 0 },
        { "tfm_center_crop_100.png", new CenterCrop(100), false, 0, 0 },
        { "tfm_center_crop_pad_250x200.png", new CenterCrop((200, 250)), false, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Item_transforms_match_fastais_crop_pad_and_PILs_pixels(string golden, ItemTransform tfm, bool training, double pctX, double pctY)
    {
        Image photo = Load("photo_rgb.png");
        Image actual = training ? ((Resize)tfm).Apply(photo, pctX, pctY) : tfm.Apply(photo, training: false, new Generator(0));
        AssertSamePixels(Load(golden), actual, golden);
        Assert.Equal((tfm.Width, tfm.Height), (actual.Width, actual.Height));
    }

    [Fact]
    public void A_random_resized_crop_box_resizes_like_PIL_and_its_draws_are_seeded()
    {
        Image photo = Load("photo_rgb.png");
        var rrc = new RandomResizedCrop(64);
        AssertSamePixels(Load("tfm_rrc_train_box_64.png"), rrc.Crop(photo, 90, 70, 30, 50), "box (30,50)+90x70");
        Image a = rrc.Apply(photo, true, new Generator(5)), b = rrc.Apply(photo, true, new Generator(5)), c = rrc.Apply(photo, true, new Generator(6));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.Equal((64, 64), (a.Width, a.Height));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_jpegs_EXIF_orientation_is_applied_as_PILs_exif_transpose(int orientation)
    {
        Image upright = Load($"exif_{orientation}.jpg");
        AssertSamePixels(Load($"exif_{orientation}.png"), upright, $"orientation {orientation}");
        Image raw = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Assets, $"exif_{orientation}.jpg")));
        Assert.Equal((40, 24), (raw.Width, raw.Height)); // Decode itself stays PIL's Image.open: as stored
    }

    [Theory]
    [InlineData("cmyk")]
    [InlineData("cmyk_progressive")]
    public void A_CMYK_jpeg_decodes_to_PILs_RGB(string name) =>
        AssertSamePixels(Load($"{name}.png"), Load($"{name}.jpg"), name);
}
