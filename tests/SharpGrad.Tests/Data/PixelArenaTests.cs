using SharpGrad.Data;
using SharpGrad.Data.Images;

namespace SharpGrad.Tests.Data;

/// <summary>The data loader's per-item pixel buffers: rented inside an arena, given back when it closes, never seen by a user afterwards.</summary>
public class PixelArenaTests
{
    private static Image Noise(int w, int h, int ch, ulong seed) =>
        new(w, h, ch, Tensor.Randint(0, 256, [w * h * ch], new Generator(seed)).ToArray<long>().Select(v => (byte)v).ToArray());

    [Fact]
    public void Images_made_in_an_arena_are_recycled_when_it_closes_but_a_copy_taken_inside_stays_valid()
    {
        Image source = Noise(40, 30, 3, 1);
        Image resized, copied;
        byte[] copy;
        using (PixelArena.Enter())
        {
            resized = source.Resize(20, 15);
            copied = source.Resize(20, 15);
            copy = copied.Pixels; // the public array is the caller's own
            Assert.Equal(20 * 15 * 3, copy.Length);
            Assert.Equal(resized.Data.ToArray(), copy); // read without taking a copy, so it stays rented
        }
        Assert.Null(PixelArena.Current);
        Assert.Throws<ObjectDisposedException>(() => resized.Data.Length);
        Assert.Equal(copy, copied.Pixels); // taken before the arena closed: still intact
        Assert.Equal(source.Resize(20, 15).Pixels, copy);
        // Outside an arena nothing is rented.
        Image plain = source.Resize(20, 15);
        Assert.Same(plain.Pixels, plain.Pixels);
    }

    [Fact]
    public void Arenas_nest_and_must_close_in_order()
    {
        PixelArena outer = PixelArena.Enter();
        PixelArena inner = PixelArena.Enter();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        Assert.Same(outer, PixelArena.Current);
        outer.Dispose();
        Assert.Null(PixelArena.Current);
    }

    [Theory]
    [InlineData(0, 0, 61, 47, 30, 20)]   // the whole image, both passes
    [InlineData(7, 5, 33, 29, 20, 29)]   // a box, horizontal pass only
    [InlineData(3, 11, 40, 30, 40, 13)]  // vertical pass only
    [InlineData(10, 9, 25, 21, 25, 21)]  // same size: a copy of the box
    [InlineData(1, 2, 20, 15, 55, 44)]   // enlarged
    public void A_box_resampled_in_place_equals_the_crop_resized(int x, int y, int w, int h, int width, int height)
    {
        foreach (int ch in new[] { 1, 3 })
        {
            Image image = Noise(61, 47, ch, (ulong)(x + 17 * ch));
            Image expected = image.Crop(x, y, w, h).Resize(width, height);
            Image actual = ImageGeometry.ResizeRegion(image, x, y, w, h, width, height);
            Assert.Equal(expected.Pixels, actual.Pixels);
        }
    }
}
