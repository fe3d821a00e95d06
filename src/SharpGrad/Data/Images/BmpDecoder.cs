using System.Buffers;
using System.Buffers.Binary;

namespace SharpGrad.Data.Images;

/// <summary>
/// Decodes Windows/OS2 BMP images: OS/2 core header (12 bytes) and BITMAPINFOHEADER through V5;
/// 1/4/8-bit palette, 16-bit (5-5-5 or bit fields such as 5-6-5), 24-bit and 32-bit (BI_RGB or
/// BI_BITFIELDS) pixels; bottom-up and top-down row order; RLE8 and RLE4 compression.
/// Channel count follows PIL's <c>Image.open</c> mode: palettes that PIL treats as grayscale (an identity
/// ramp, or black/white for two colours) give 1 channel, everything else gives RGB (alpha is dropped).
/// </summary>
public static partial class BmpDecoder
{
    private const int BiRgb = 0;
    private const int BiRle8 = 1;
    private const int BiRle4 = 2;
    private const int BiBitfields = 3;

    /// <summary>Decodes a complete BMP file.</summary>
    /// <param name="data">The file contents, starting with <c>BM</c>.</param>
    /// <param name="source">File path or other name used in error messages; <c>null</c> reads as <c>&lt;memory&gt;</c>.</param>
    /// <returns>A 1-channel image for grayscale palettes, otherwise a 3-channel RGB image.</returns>
    /// <exception cref="ImageDecodeException">The data is malformed, truncated, or uses an unsupported variant.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, string? source = null)
    {
        try
        {
            return DecodeCore(data);
        }
        catch (DecodeFailure e)
        {
            throw new ImageDecodeException(source, e.Message);
        }
    }

    private static Image DecodeCore(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != (byte)'B' || data[1] != (byte)'M')
        {
            throw new DecodeFailure("not a BMP file (missing 'BM' signature)");
        }

        if (data.Length < 18)
        {
            throw new DecodeFailure($"BMP file header is truncated ({data.Length} bytes)");
        }

        uint dataOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSizeRaw = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSizeRaw != 12 && headerSizeRaw != 40 && headerSizeRaw != 52 && headerSizeRaw != 56 &&
            headerSizeRaw != 64 && headerSizeRaw != 108 && headerSizeRaw != 124)
        {
            throw new DecodeFailure($"BMP header size {headerSizeRaw} is not supported (expected 12, 40, 52, 56, 64, 108 or 124)");
        }

        int headerSize = (int)headerSizeRaw;
        if (data.Length < 14 + headerSize)
        {
            throw new DecodeFailure($"BMP info header is truncated ({headerSize} bytes declared, {data.Length - 14} present)");
        }

        ReadOnlySpan<byte> h = data.Slice(14, headerSize);
        long width;
        long height;
        int bits;
        int compression;
        uint colorsUsed = 0;
        bool topDown = false;
        int paletteEntry = 4;
        int afterHeader = 14 + headerSize;
        uint rMask = 0;
        uint gMask = 0;
        uint bMask = 0;

        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            compression = BiRgb;
            paletteEntry = 3;
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(h[4..]);
            int rawHeight = BinaryPrimitives.ReadInt32LittleEndian(h[8..]);
            topDown = rawHeight < 0;
            height = Math.Abs((long)rawHeight);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(h[14..]);
            uint comp = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(h[32..]);
            compression = comp switch
            {
                BiRgb or BiRle8 or BiRle4 or BiBitfields => (int)comp,
                4 => throw new DecodeFailure("BMP with embedded JPEG data (BI_JPEG) is not supported"),
                5 => throw new DecodeFailure("BMP with embedded PNG data (BI_PNG) is not supported"),
                6 => throw new DecodeFailure("BMP compression BI_ALPHABITFIELDS is not supported"),
                _ => throw new DecodeFailure($"BMP compression {comp} is not supported"),
            };

            if (compression == BiBitfields)
            {
                ReadOnlySpan<byte> masks;
                if (headerSize >= 52)
                {
                    masks = h.Slice(40, 12);
                }
                else
                {
                    if (data.Length < afterHeader + 12)
                    {
                        throw new DecodeFailure("BMP bit field masks are truncated");
                    }

                    masks = data.Slice(afterHeader, 12);
                    afterHeader += 12;
                }

                rMask = BinaryPrimitives.ReadUInt32LittleEndian(masks);
                gMask = BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]);
                bMask = BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]);
            }
        }

        if (width <= 0 || height <= 0)
        {
            throw new DecodeFailure($"BMP has invalid dimensions {width}x{(topDown ? -height : height)}");
        }

        if (bits is not (1 or 4 or 8 or 16 or 24 or 32))
        {
            throw new DecodeFailure($"BMP bit depth {bits} is not supported (expected 1, 4, 8, 16, 24 or 32)");
        }

        if ((compression == BiRle8 && bits != 8) || (compression == BiRle4 && bits != 4) ||
            (compression == BiBitfields && bits < 16))
        {
            throw new DecodeFailure($"BMP compression {compression} cannot be used with {bits}-bit pixels");
        }

        // Palette (1/4/8 bits). Unlisted indices map to gray (i, i, i), as in PIL.
        byte[]? palette = null;
        int channels = 3;
        long paletteBytes = 0;
        long colors = 0;
        if (bits <= 8)
        {
            colors = colorsUsed != 0 ? colorsUsed : 1L << bits;
            if (colors > 65536)
            {
                throw new DecodeFailure($"BMP palette size {colors} is not supported");
            }

            paletteBytes = colors * paletteEntry;
            if (afterHeader + paletteBytes > data.Length)
            {
                throw new DecodeFailure($"BMP palette is truncated ({colors} entries declared)");
            }

            palette = new byte[256 * 3];
            for (int i = 0; i < 256; i++)
            {
                palette[3 * i] = palette[(3 * i) + 1] = palette[(3 * i) + 2] = (byte)i;
            }

            ReadOnlySpan<byte> pal = data.Slice(afterHeader, (int)paletteBytes);
            for (int i = 0; i < Math.Min(colors, 256); i++)
            {
                int e = i * paletteEntry;
                palette[3 * i] = pal[e + 2];
                palette[(3 * i) + 1] = pal[e + 1];
                palette[(3 * i) + 2] = pal[e];
            }

            if (IsGrayPalette(pal, (int)colors, paletteEntry))
            {
                channels = 1;
            }
        }

        // Pixel data offset, with PIL's correction for writers that did not count the palette.
        long offset = dataOffset;
        if (offset == 0)
        {
            offset = afterHeader + paletteBytes;
        }
        else if (offset == 14 + headerSize && bits <= 8)
        {
            offset += 4 * colors;
        }

        if (offset > data.Length)
        {
            throw new DecodeFailure($"BMP pixel data offset {offset} is beyond the end of the file ({data.Length} bytes)");
        }

        if (width * height * channels > DecodeLimits.MaxSamples)
        {
            throw new DecodeFailure($"BMP dimensions {width}x{height} exceed the decoder limit of {DecodeLimits.MaxSamples} samples");
        }

        int w = (int)width;
        int ht = (int)height;
        ReadOnlySpan<byte> pixels = data[(int)offset..];

        if (compression is BiRle8 or BiRle4)
        {
            bool rle4 = compression == BiRle4;
            BmpRle.Decode(pixels, w, ht, rle4, default); // validate before allocating
            int count = w * ht;
            byte[] indices = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                Array.Clear(indices, 0, count); // skipped pixels are index 0
                BmpRle.Decode(pixels, w, ht, rle4, indices.AsSpan(0, count));
                return FromIndexRows(indices.AsSpan(0, count), w, ht, w, 8, topDown, palette!, channels);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(indices);
            }
        }

        long stride = (((width * bits) + 31) >> 5) * 4;
        long needed = (stride * (height - 1)) + (((width * bits) + 7) >> 3);
        if (needed > pixels.Length)
        {
            throw new DecodeFailure($"BMP pixel data is truncated ({needed} bytes needed, {pixels.Length} present)");
        }

        if (bits <= 8)
        {
            return FromIndexRows(pixels, w, ht, (int)stride, bits, topDown, palette!, channels);
        }

        if (bits == 24 && (compression == BiRgb || (rMask == 0xFF0000 && gMask == 0xFF00 && bMask == 0xFF)))
        {
            return FromBgr24(pixels, w, ht, (int)stride, topDown);
        }

        if (compression == BiRgb)
        {
            (rMask, gMask, bMask) = bits == 16 ? (0x7C00u, 0x3E0u, 0x1Fu) : (0xFF0000u, 0xFF00u, 0xFFu);
        }
        else if (rMask == 0 && gMask == 0 && bMask == 0)
        {
            // PIL reads all-zero 32-bit masks as BGRA.
            (rMask, gMask, bMask) = bits == 16 ? (0x7C00u, 0x3E0u, 0x1Fu) : (0xFF0000u, 0xFF00u, 0xFFu);
        }

        return FromBitfields(pixels, w, ht, (int)stride, bits, topDown, rMask, gMask, bMask);
    }

    // PIL's test: two colours must be exactly black then white; otherwise entry i must be (i, i, i).
    private static bool IsGrayPalette(ReadOnlySpan<byte> pal, int colors, int entry)
    {
        for (int i = 0; i < colors; i++)
        {
            int expected = colors == 2 ? (i == 0 ? 0 : 255) : i & 0xFF;
            int e = i * entry;
            if (pal[e] != expected || pal[e + 1] != expected || pal[e + 2] != expected)
            {
                return false;
            }
        }

        return true;
    }
}
