using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpGrad.Data.Images;

/// <summary>
/// Encodes <see cref="Image"/>s as 8-bit gray (colour type 0) or RGB (colour type 2) PNGs: non-interlaced, one IDAT chunk,
/// no ancillary chunks. The output is deterministic for a given image, level and runtime.
/// </summary>
/// <remarks>
/// Filtering: the image is compressed with each row given the filter whose output has the smallest sum of absolute
/// values (bytes read as signed), the heuristic the PNG spec recommends, which suits photographs; images of up to
/// 1 MiB of scanlines are also compressed with no filtering, and the smaller result is kept. No filtering wins on
/// MNIST-style digits (black background, few strokes): 266 bytes on average for 28x28 digits against 297 with the
/// adaptive heuristic and 293 from PIL, at the price of compressing twice.
/// </remarks>
public static class PngEncoder
{
    /// <summary>Images with at most this many bytes of scanlines are also compressed unfiltered, and the smaller result kept.</summary>
    private const int TryUnfilteredUpTo = 1 << 20;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Encodes <paramref name="image"/> as a PNG file.</summary>
    /// <param name="image">A gray (1-channel) or RGB (3-channel) image.</param>
    /// <param name="level">The zlib effort: <see cref="CompressionLevel.Optimal"/> (zlib level 6) by default.</param>
    /// <returns>The complete PNG file.</returns>
    public static byte[] Encode(Image image, CompressionLevel level = CompressionLevel.Optimal)
    {
        var output = new MemoryStream();
        Encode(image, output, level);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as a PNG file to <paramref name="destination"/>.</summary>
    /// <param name="image">A gray (1-channel) or RGB (3-channel) image.</param>
    /// <param name="destination">A writable stream; it is not flushed or closed.</param>
    /// <param name="level">The zlib effort: <see cref="CompressionLevel.Optimal"/> (zlib level 6) by default.</param>
    public static void Encode(Image image, Stream destination, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        int width = image.Width, height = image.Height, channels = image.Channels;
        int rowBytes = width * channels;
        long filteredLength = (long)height * (rowBytes + 1);
        if (filteredLength > Array.MaxLength)
            throw new ArgumentException($"a {width}x{height} image is too large to encode as one PNG here ({filteredLength} bytes of scanlines)", nameof(image));

        byte[] filtered = ArrayPool<byte>.Shared.Rent((int)filteredLength);
        byte[] trial = ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            Span<byte> scanlines = filtered.AsSpan(0, (int)filteredLength);
            FilterAdaptively(image.Pixels, width, height, channels, scanlines, trial.AsSpan(0, rowBytes));
            MemoryStream idat = Compress(scanlines, level);
            if (filteredLength <= TryUnfilteredUpTo)
            {
                for (int y = 0; y < height; y++)
                {
                    scanlines[y * (rowBytes + 1)] = PngFilters.None;
                    image.Pixels.AsSpan(y * rowBytes, rowBytes).CopyTo(scanlines[(y * (rowBytes + 1) + 1)..]);
                }
                MemoryStream plain = Compress(scanlines, level);
                if (plain.Length <= idat.Length) idat = plain;
            }

            Span<byte> ihdr = stackalloc byte[PngHeader.Length];
            BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
            ihdr[8] = 8;                                // bit depth
            ihdr[9] = (byte)(channels == 1 ? 0 : 2);    // colour type: gray or RGB
            ihdr[10] = ihdr[11] = ihdr[12] = 0;         // deflate, adaptive filtering, no interlace

            destination.Write(Signature);
            WriteChunk(destination, PngChunkReader.IHDR, ihdr);
            WriteChunk(destination, PngChunkReader.IDAT, idat.GetBuffer().AsSpan(0, (int)idat.Length));
            WriteChunk(destination, PngChunkReader.IEND, []);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(filtered);
            ArrayPool<byte>.Shared.Return(trial);
        }
    }

    private static MemoryStream Compress(ReadOnlySpan<byte> scanlines, CompressionLevel level)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, level, leaveOpen: true))
            zlib.Write(scanlines);
        return output;
    }

    /// <summary>Filters every row with the filter of least absolute sum, writing filter byte and scanline into <paramref name="filtered"/>.</summary>
    private static void FilterAdaptively(byte[] pixels, int width, int height, int channels, Span<byte> filtered, Span<byte> trial)
    {
        int rowBytes = width * channels;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = pixels.AsSpan(y * rowBytes, rowBytes);
            ReadOnlySpan<byte> prev = y == 0 ? default : pixels.AsSpan((y - 1) * rowBytes, rowBytes);
            Span<byte> best = filtered.Slice(y * (rowBytes + 1) + 1, rowBytes);
            int bestFilter = PngFilters.None;
            long bestCost = PngFilters.Filter(PngFilters.None, row, prev, best, channels);
            for (int f = PngFilters.Sub; f <= PngFilters.Paeth; f++)
            {
                if (y == 0 && f is PngFilters.Up or PngFilters.Paeth) continue; // same as None and Sub on the first row
                long cost = PngFilters.Filter(f, row, prev, trial, channels);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    bestFilter = f;
                    trial.CopyTo(best);
                }
            }
            filtered[y * (rowBytes + 1)] = (byte)bestFilter;
        }
    }

    private static void WriteChunk(Stream destination, uint type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], type);
        uint crc = Crc32.Append(Crc32.Compute(head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        destination.Write(head);
        destination.Write(data);
        destination.Write(tail);
    }
}
