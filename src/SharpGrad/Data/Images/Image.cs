namespace SharpGrad.Data.Images;

/// <summary>
/// An 8-bit image: <see cref="Height"/> rows of <see cref="Width"/> pixels, each of <see cref="Channels"/> bytes,
/// stored row-major and interleaved (HWC), like a PIL image in mode <c>L</c> (one channel) or <c>RGB</c> (three).
/// </summary>
public sealed class Image
{
    /// <summary>Wraps existing pixels (not copied): row-major, interleaved, <c>width * height * channels</c> bytes.</summary>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 for grayscale, 3 for RGB.</param>
    /// <param name="pixels">The samples; its length must be exactly <c>width * height * channels</c>.</param>
    /// <exception cref="ArgumentException">A size is not positive, <paramref name="channels"/> is not 1 or 3, or the length is wrong.</exception>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long expected = CheckedSize(width, height, channels);
        if (pixels.Length != expected)
            throw new ArgumentException(
                $"pixels has length {pixels.Length}, but a {width}x{height} image with {channels} channel(s) needs {expected}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        _pixels = pixels;
        _length = (int)expected;
    }

    /// <summary>An image over a rented buffer that may be longer than its pixels; <see cref="PixelArena"/> takes it back.</summary>
    private Image(int width, int height, int channels, int length, byte[] rented)
    {
        Width = width;
        Height = height;
        Channels = channels;
        _pixels = rented;
        _rented = rented;
        _length = length;
    }

    private byte[] _pixels;
    private byte[]? _rented;
    private bool _recycled;
    private readonly int _length;

    /// <summary>
    /// A new black image: from the current thread's <see cref="PixelArena"/> when one is open (its buffer is taken back
    /// when the arena closes), else a plain array. Every decoder and geometry operation allocates through here.
    /// </summary>
    internal static Image Create(int width, int height, int channels)
    {
        long size = CheckedSize(width, height, channels);
        if (PixelArena.Current is not { } arena) return new Image(width, height, channels, new byte[size]);
        byte[] buffer = arena.Rent((int)size);
        Array.Clear(buffer, 0, (int)size);
        var image = new Image(width, height, channels, (int)size, buffer);
        arena.Track(image);
        return image;
    }

    /// <summary>Creates a black image of the given size.</summary>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 for grayscale, 3 for RGB.</param>
    /// <exception cref="ArgumentException">A size is not positive, <paramref name="channels"/> is not 1 or 3, or the image would exceed <see cref="Array.MaxLength"/> bytes.</exception>
    public Image(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedSize(width, height, channels)])
    {
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Bytes per pixel: 1 (grayscale, PIL mode <c>L</c>) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>The samples, row-major and interleaved: pixel (x, y) channel c is at <c>(y * Width + x) * Channels + c</c>.</summary>
    public byte[] Pixels
    {
        get
        {
            if (_rented is not null && ReferenceEquals(_pixels, _rented)) _pixels = Data.ToArray(); // rented: the caller gets its own copy
            return _recycled ? throw Recycled() : _pixels;
        }
    }

    /// <summary>The samples without copying, however they are held (what the library itself reads and writes).</summary>
    /// <exception cref="ObjectDisposedException">The image lived in a <see cref="PixelArena"/> that has closed.</exception>
    internal Span<byte> Data => _recycled ? throw Recycled() : _pixels.AsSpan(0, _length);

    private static ObjectDisposedException Recycled() =>
        new(nameof(Image), "This image's pixels were recycled when the data loader finished the item it belonged to.");

    /// <summary>
    /// Gives the rented buffer back to the closing arena. An image whose pixels were copied out through
    /// <see cref="Pixels"/> keeps that copy; otherwise it is unusable from now on.
    /// </summary>
    internal byte[]? Recycle()
    {
        byte[]? rented = _rented;
        _rented = null;
        if (rented is not null && ReferenceEquals(_pixels, rented))
        {
            _pixels = [];
            _recycled = true;
        }
        return rented;
    }

    /// <summary>
    /// A new three-channel copy: RGB pixels are copied, gray values are replicated into R, G and B
    /// (PIL's <c>convert('RGB')</c> of an <c>L</c> image).
    /// </summary>
    public Image ToRgb()
    {
        Image result = Create(Width, Height, 3);
        Span<byte> rgb = result.Data;
        ReadOnlySpan<byte> src = Data;
        if (Channels == 3)
        {
            src.CopyTo(rgb);
            return result;
        }
        for (int i = 0, j = 0; i < src.Length; i++, j += 3)
        {
            byte v = src[i];
            rgb[j] = v;
            rgb[j + 1] = v;
            rgb[j + 2] = v;
        }
        return result;
    }

    /// <summary>
    /// A new one-channel copy. RGB is converted with PIL's exact <c>convert('L')</c> arithmetic,
    /// <c>L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) &gt;&gt; 16</c> (ITU-R 601-2 luma, 16-bit fixed point, rounded);
    /// gray pixels are copied.
    /// </summary>
    public Image ToGray()
    {
        Image result = Create(Width, Height, 1);
        Span<byte> gray = result.Data;
        ReadOnlySpan<byte> src = Data;
        if (Channels == 1)
        {
            src.CopyTo(gray);
            return result;
        }
        for (int i = 0, j = 0; i < gray.Length; i++, j += 3)
            gray[i] = Luma(src[j], src[j + 1], src[j + 2]);
        return result;
    }

    /// <summary>PIL's RGB to L conversion of one pixel.</summary>
    internal static byte Luma(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    private static long CheckedSize(int width, int height, int channels)
    {
        if (width < 1) throw new ArgumentException($"width must be at least 1, got {width}.", nameof(width));
        if (height < 1) throw new ArgumentException($"height must be at least 1, got {height}.", nameof(height));
        if (channels is not (1 or 3)) throw new ArgumentException($"channels must be 1 (gray) or 3 (RGB), got {channels}.", nameof(channels));
        long size = (long)width * height * channels;
        if (size > Array.MaxLength)
            throw new ArgumentException($"a {width}x{height} image with {channels} channel(s) needs {size} bytes, over the {Array.MaxLength}-byte array limit.");
        return size;
    }
}
