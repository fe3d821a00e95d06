namespace SharpGrad.Data.Images;

/// <summary>
/// Run-length decoding of BI_RLE8 / BI_RLE4 bitmaps into palette indices (rows in file order).
/// Encoded and absolute runs are clipped at the row end (as PIL clips encoded runs); pixels that
/// a delta or end-of-line skips stay at index 0. Like PIL, an end-of-bitmap marker before the
/// cursor has reached the last row is an error, so a small stream cannot stand for a huge image.
/// </summary>
internal static class BmpRle
{
    /// <summary>
    /// Decodes the stream; with an empty <paramref name="output"/> it only validates (used before allocating).
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> src, int width, int height, bool rle4, Span<byte> output)
    {
        bool write = !output.IsEmpty;
        int x = 0;
        int y = 0;
        int i = 0;
        // Done once the cursor is past the last pixel; trailing end-of-line / end-of-bitmap codes are not needed.
        while (y < height && !(y == height - 1 && x >= width))
        {
            if (i + 2 > src.Length)
            {
                throw new DecodeFailure($"BMP RLE data is truncated at row {y} (no end-of-bitmap marker)");
            }

            int n = src[i];
            int b = src[i + 1];
            i += 2;
            if (n > 0)
            {
                int count = Math.Min(n, width - x);
                if (write)
                {
                    Span<byte> dst = output.Slice((y * width) + x, count);
                    for (int k = 0; k < count; k++)
                    {
                        dst[k] = (byte)(!rle4 ? b : (k & 1) == 0 ? b >> 4 : b & 15);
                    }
                }

                x += count;
            }
            else if (b == 0)
            {
                x = 0;
                y++;
            }
            else if (b == 1)
            {
                throw new DecodeFailure($"BMP RLE end-of-bitmap marker at row {y} of {height} leaves the image incomplete");
            }
            else if (b == 2)
            {
                if (i + 2 > src.Length)
                {
                    throw new DecodeFailure("BMP RLE delta is truncated");
                }

                long linear = ((long)y * width) + x + src[i] + ((long)src[i + 1] * width);
                i += 2;
                y = (int)Math.Min(linear / width, height);
                x = (int)(linear % width);
            }
            else
            {
                int bytes = rle4 ? (b + 1) >> 1 : b;
                if (i + bytes > src.Length)
                {
                    throw new DecodeFailure($"BMP RLE absolute run is truncated at row {y}");
                }

                int count = Math.Min(b, width - x);
                if (write)
                {
                    Span<byte> dst = output.Slice((y * width) + x, count);
                    for (int k = 0; k < count; k++)
                    {
                        dst[k] = !rle4 ? src[i + k] : (k & 1) == 0 ? (byte)(src[i + (k >> 1)] >> 4) : (byte)(src[i + (k >> 1)] & 15);
                    }
                }

                x += count;
                i += bytes + (bytes & 1);
            }
        }
    }
}
