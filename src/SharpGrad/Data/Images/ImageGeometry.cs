using SharpGrad.Kernels;

namespace SharpGrad.Data.Images;

/// <summary>How pixels outside an image are filled when it is padded (fastai's <c>PadMode</c>).</summary>
public enum PadMode
{
    /// <summary>Black (zero) pixels.</summary>
    Zeros,

    /// <summary>The edge pixel repeated (numpy's 'edge').</summary>
    Border,

    /// <summary>The image mirrored at its edge, the edge pixel not repeated (numpy's 'reflect'); fastai's default.</summary>
    Reflection,
}

/// <summary>Geometry on decoded images, each giving a new <see cref="Image"/> with PIL's exact pixels: crop, pad, resize, flips, EXIF orientation.</summary>
public static class ImageGeometry
{
    /// <summary>PIL's <c>image.resize((width, height), Image.BILINEAR)</c>: antialiased when shrinking, bilinear when enlarging.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Image Resize(this Image image, int width, int height)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"Resize: the size must be positive, got {width}x{height}.");
        return ResizeRegion(image, 0, 0, image.Width, image.Height, width, height);
    }

    /// <summary>The region at (<paramref name="x"/>, <paramref name="y"/>) of <paramref name="w"/>×<paramref name="h"/> resized to <paramref name="width"/>×<paramref name="height"/>, read in place (the region must lie inside).</summary>
    internal static Image ResizeRegion(Image image, int x, int y, int w, int h, int width, int height)
    {
        int ch = image.Channels, stride = image.Width * ch;
        Image result = Image.Create(width, height, ch);
        Resample.Bilinear(result.Data, width, height, image.Data[(y * stride + x * ch)..], w, h, stride, ch);
        return result;
    }

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> region whose top-left pixel is (<paramref name="x"/>, <paramref name="y"/>); it must lie inside the image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The region is empty or leaves the image.</exception>
    public static Image Crop(this Image image, int x, int y, int width, int height)
    {
        if (width < 1 || height < 1 || x < 0 || y < 0 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"Crop: the box ({x}, {y}) + {width}x{height} is not inside the {image.Width}x{image.Height} image.");
        int ch = image.Channels;
        Image result = Image.Create(width, height, ch);
        ReadOnlySpan<byte> src = image.Data;
        Span<byte> dst = result.Data;
        for (int r = 0; r < height; r++)
            src.Slice(((y + r) * image.Width + x) * ch, width * ch).CopyTo(dst[(r * width * ch)..]);
        return result;
    }

    /// <summary>The image with pixels added on each side, filled by <paramref name="mode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative amount.</exception>
    public static Image Pad(this Image image, int left, int top, int right, int bottom, PadMode mode)
    {
        if (left < 0 || top < 0 || right < 0 || bottom < 0)
            throw new ArgumentOutOfRangeException(nameof(left), $"Pad: amounts must be non-negative, got {left}, {top}, {right}, {bottom}.");
        int w = image.Width + left + right, h = image.Height + top + bottom, ch = image.Channels;
        Image result = Image.Create(w, h, ch);
        ReadOnlySpan<byte> src = image.Data;
        Span<byte> dst = result.Data;
        if (mode == PadMode.Zeros)
        {
            for (int r = 0; r < image.Height; r++)
                src.Slice(r * image.Width * ch, image.Width * ch).CopyTo(dst[(((r + top) * w + left) * ch)..]);
            return result;
        }
        var cols = new int[w];
        for (int x = 0; x < w; x++) cols[x] = Source(x - left, image.Width, mode);
        for (int y = 0; y < h; y++)
        {
            int sy = Source(y - top, image.Height, mode);
            ReadOnlySpan<byte> srcRow = src.Slice(sy * image.Width * ch, image.Width * ch);
            Span<byte> dstRow = dst.Slice(y * w * ch, w * ch);
            for (int x = 0; x < w; x++)
                for (int c = 0; c < ch; c++) dstRow[x * ch + c] = srcRow[cols[x] * ch + c];
        }
        return result;
    }

    /// <summary>The input index that padding position <paramref name="i"/> copies, for an axis of <paramref name="n"/> pixels.</summary>
    private static int Source(int i, int n, PadMode mode)
    {
        if (i >= 0 && i < n) return i;
        if (mode == PadMode.Border || n == 1) return Math.Clamp(i, 0, n - 1);
        int period = 2 * (n - 1); // reflection repeats with this period, as numpy's 'reflect' does for wide pads
        int m = ((i % period) + period) % period;
        return m < n ? m : period - m;
    }

    /// <summary>
    /// The image as a viewer shows it, given its EXIF orientation tag (1-8; PIL's <c>ImageOps.exif_transpose</c>):
    /// 2 mirrored, 3 rotated 180°, 4 flipped, 5 transposed, 6 rotated 90° clockwise, 7 transversed, 8 rotated 90°
    /// counter-clockwise. Other values leave it as it is.
    /// </summary>
    public static Image Orient(this Image image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height, ch = image.Channels;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        Image result = Image.Create(ow, oh, ch);
        ReadOnlySpan<byte> src = image.Data;
        Span<byte> dst = result.Data;
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                // The source pixel (sx, sy) shown at output (x, y).
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                for (int c = 0; c < ch; c++) dst[(y * ow + x) * ch + c] = src[(sy * w + sx) * ch + c];
            }
        return result;
    }
}
