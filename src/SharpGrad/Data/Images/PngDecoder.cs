using System.Buffers;

namespace SharpGrad.Data.Images;

/// <summary>
/// Decodes PNG files into 8-bit gray or RGB <see cref="Image"/>s with the pixels PIL 9.4 gives for
/// <c>Image.open(f).convert('L')</c> (colour types 0 and 4) or <c>.convert('RGB')</c> (types 2, 3 and 6).
/// </summary>
/// <remarks>
/// <para>Every standard PNG is supported: colour types 0, 2, 3, 4 and 6 at every bit depth the spec allows
/// (1, 2, 4, 8, 16), all five filters, Adam7 interlacing, any number of IDAT chunks. Output:</para>
/// <list type="bullet">
/// <item>Gray (type 0) and gray + alpha (type 4) give 1 channel; RGB, palette and RGB + alpha give 3.</item>
/// <item>Alpha and tRNS are dropped without compositing, as PIL's <c>convert</c> does.</item>
/// <item>1, 2 and 4-bit gray is scaled to 0..255. 16-bit gray becomes min(v, 255), which is PIL's behaviour
/// (it opens 16-bit gray as mode <c>I</c>, and <c>I</c> to <c>L</c> clamps); every other 16-bit sample keeps its high byte.</item>
/// <item>A palette index past the end of PLTE gives gray (i, i, i), as in PIL.</item>
/// </list>
/// <para>Checked strictly (each failure is an <see cref="ImageDecodeException"/> saying what is wrong): the signature; that
/// IHDR comes first with valid fields; each chunk's length, type (four ASCII letters) and CRC, IDAT included (PIL does not
/// check IDAT CRCs); PLTE for palette images; the zlib header and deflate data; every filter type byte; and that the image
/// data inflates to at least the size the header implies. Images over <see cref="MaxImageBytes"/> decoded bytes, or whose
/// size the compressed data cannot possibly fill, are rejected before anything large is allocated.</para>
/// <para>Lenient, like PIL: nothing after the run of consecutive IDAT chunks is read, so a missing or damaged IEND,
/// later chunks and trailing bytes are all ignored; surplus inflated data and the Adler-32 trailer are ignored;
/// unknown chunks (critical ones included) before the image data are skipped; tRNS, and PLTE in non-palette
/// images, are ignored.</para>
/// <para>Thread-safe: there is no shared mutable state.</para>
/// </remarks>
public static class PngDecoder
{
    /// <summary>The largest decoded image accepted, in bytes (width * height * output channels): 2^28.</summary>
    public const long MaxImageBytes = 1L << 28;

    /// <summary>The most bytes that one byte of deflate data can expand to: a 258-byte match coded in two bits.</summary>
    private const long MaxDeflateRatio = 1032;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>; errors name the path.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The decoded image: 1 channel for gray PNGs, 3 for colour ones.</returns>
    /// <exception cref="ImageDecodeException">The file is not a valid PNG.</exception>
    public static Image DecodeFile(string path) => Decode(File.ReadAllBytes(path), path);

    /// <summary>Decodes a whole PNG file held in memory.</summary>
    /// <param name="data">The file's bytes, from the signature on.</param>
    /// <param name="source">A name for error messages, such as the file path; <see langword="null"/> gives <c>&lt;memory&gt;</c>.</param>
    /// <returns>The decoded image: 1 channel for gray PNGs (types 0 and 4), 3 for colour ones (types 2, 3 and 6).</returns>
    /// <exception cref="ImageDecodeException">The data is not a valid PNG; the message says where and why.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, string? source = null)
    {
        CheckSignature(data, source);
        var chunks = new PngChunkReader(data, Signature.Length, source);
        if (!chunks.TryRead(out PngChunk ihdr))
            throw new ImageDecodeException(source, "PNG file ends after the signature, with no IHDR chunk");
        if (ihdr.Type != PngChunkReader.IHDR)
            throw new ImageDecodeException(source, $"PNG file starts with chunk {ihdr.Name}, not IHDR");
        if (ihdr.Data.Length != PngHeader.Length)
            throw new ImageDecodeException(source, $"PNG chunk IHDR has length {ihdr.Data.Length}, not {PngHeader.Length}");
        var header = PngHeader.Parse(ihdr.Data, source);
        long imageBytes = (long)header.Width * header.Height * header.OutputChannels;
        if (imageBytes > MaxImageBytes)
            throw new ImageDecodeException(source,
                $"PNG image {header.Width}x{header.Height} with {header.OutputChannels} channel(s) is too large ({imageBytes} bytes; the limit is {MaxImageBytes})");
        long rawLength = RawLength(header);

        ReadOnlySpan<byte> plte = default;
        bool sawPlte = false;
        int idatStart = -1, idatEnd = -1, idatCount = 0;
        long idatBytes = 0;
        while (idatCount == 0 || chunks.NextHasType(PngChunkReader.IDAT))
        {
            if (!chunks.TryRead(out PngChunk chunk))
                throw new ImageDecodeException(source, $"PNG file ends at offset {data.Length} without any IDAT chunk");
            switch (chunk.Type)
            {
                case PngChunkReader.IDAT:
                    if (idatCount++ == 0) idatStart = chunk.Offset;
                    idatEnd = chunks.Position;
                    idatBytes += chunk.Data.Length;
                    break;
                case PngChunkReader.IHDR:
                    throw new ImageDecodeException(source, $"PNG file has a second IHDR chunk at offset {chunk.Offset}");
                case PngChunkReader.IEND:
                    throw new ImageDecodeException(source, $"PNG file reaches IEND at offset {chunk.Offset} without any IDAT chunk");
                case PngChunkReader.PLTE:
                    plte = chunk.Data;
                    sawPlte = true;
                    break;
            }
        }

        if (header.ColorType == 3)
        {
            if (!sawPlte)
                throw new ImageDecodeException(source, "PNG palette image (colour type 3) has no PLTE chunk before its IDAT data");
            if (plte.Length == 0 || plte.Length % 3 != 0 || plte.Length > 768)
                throw new ImageDecodeException(source, $"PNG chunk PLTE has length {plte.Length}, not 3 times 1 to 256 entries");
        }
        if (rawLength > idatBytes * MaxDeflateRatio + 1024)
            throw new ImageDecodeException(source,
                $"PNG image data is too short: {idatBytes} compressed bytes cannot hold the {rawLength} bytes a {header.Width}x{header.Height} image needs");
        if (rawLength > Array.MaxLength)
            throw new ImageDecodeException(source, $"PNG image data would be {rawLength} bytes, over the array size limit");

        byte[] raw = ArrayPool<byte>.Shared.Rent((int)rawLength);
        byte[]? joined = null;
        try
        {
            ReadOnlySpan<byte> zlib;
            if (idatCount == 1)
            {
                zlib = data.Slice(idatStart + 8, idatEnd - idatStart - PngChunkReader.Overhead);
            }
            else
            {
                joined = ArrayPool<byte>.Shared.Rent((int)idatBytes);
                zlib = JoinIdat(data, idatStart, idatEnd, joined);
            }
            Span<byte> rawSpan = raw.AsSpan(0, (int)rawLength);
            int inflated = ZlibInflater.Inflate(zlib, rawSpan, source);
            if (inflated < rawLength)
                throw new ImageDecodeException(source,
                    $"PNG image data is truncated: the IDAT chunks inflate to {inflated} bytes, but a {header.Width}x{header.Height} image needs {rawLength}");

            Span<byte> palette = stackalloc byte[header.ColorType == 3 ? 768 : 0];
            if (header.ColorType == 3) FillPalette(palette, plte);
            Image image = Image.Create(header.Width, header.Height, header.OutputChannels);
            if (header.Interlaced) Deinterlace(header, rawSpan, image.Data, palette, source);
            else Reconstruct(header, rawSpan, image.Data, palette, source);
            return image;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            if (joined is not null) ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private static void CheckSignature(ReadOnlySpan<byte> data, string? source)
    {
        if (data.Length >= Signature.Length && data[..Signature.Length].SequenceEqual(Signature)) return;
        if (data.Length < Signature.Length && Signature.StartsWith(data))
            throw new ImageDecodeException(source, $"PNG file is truncated inside its 8-byte signature ({data.Length} bytes)");
        throw new ImageDecodeException(source, "not a PNG file (bad signature)");
    }

    /// <summary>The size of the inflated image data: for each (pass and) row, a filter byte and the scanline.</summary>
    private static long RawLength(in PngHeader header)
    {
        if (!header.Interlaced) return header.Height * (1 + header.RowBytes(header.Width));
        long total = 0;
        for (int pass = 0; pass < Adam7.Passes; pass++)
        {
            var p = Adam7.Pass(pass, header.Width, header.Height);
            if (p.Width > 0) total += p.Height * (1 + header.RowBytes(p.Width));
        }
        return total;
    }

    /// <summary>Copies the data of the consecutive IDAT chunks between two offsets into <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<byte> JoinIdat(ReadOnlySpan<byte> data, int start, int end, byte[] buffer)
    {
        int length = 0;
        for (int pos = start; pos < end;)
        {
            int n = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            data.Slice(pos + 8, n).CopyTo(buffer.AsSpan(length));
            length += n;
            pos += n + PngChunkReader.Overhead;
        }
        return buffer.AsSpan(0, length);
    }

    /// <summary>A 256-entry palette: PLTE's entries, then PIL's default gray ramp (i, i, i) for the rest.</summary>
    private static void FillPalette(Span<byte> palette, ReadOnlySpan<byte> plte)
    {
        for (int i = 0; i < 256; i++) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (byte)i;
        plte.CopyTo(palette);
    }

    /// <summary>Unfilters a non-interlaced image and converts it into <paramref name="pixels"/>.</summary>
    private static void Reconstruct(in PngHeader header, Span<byte> raw, Span<byte> pixels, ReadOnlySpan<byte> palette, string? source)
    {
        int rowBytes = (int)header.RowBytes(header.Width), bpp = header.FilterStride;
        int outRow = header.Width * header.OutputChannels;
        // 8-bit gray and RGB scanlines are already the output pixels: unfilter straight into the image.
        bool direct = header.BitDepth == 8 && header.ColorType is 0 or 2;
        Span<byte> prev = default;
        for (int y = 0, pos = 0; y < header.Height; y++, pos += rowBytes + 1)
        {
            int filter = raw[pos];
            if (filter > PngFilters.Paeth)
                throw new ImageDecodeException(source, $"PNG row {y} has unknown filter type {filter} (must be 0 to 4)");
            Span<byte> line = raw.Slice(pos + 1, rowBytes);
            Span<byte> dst = pixels.Slice(y * outRow, outRow);
            if (direct)
            {
                PngFilters.Unfilter(filter, line, dst, prev, bpp);
                prev = dst;
            }
            else
            {
                PngFilters.Unfilter(filter, line, line, prev, bpp);
                PngRowConverter.Convert(header, line, dst, header.Width, palette);
                prev = line;
            }
        }
    }

    /// <summary>Unfilters the seven Adam7 passes and scatters their pixels into <paramref name="pixels"/>.</summary>
    private static void Deinterlace(in PngHeader header, Span<byte> raw, Span<byte> pixels, ReadOnlySpan<byte> palette, string? source)
    {
        int channels = header.OutputChannels, bpp = header.FilterStride;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(header.Width * channels);
        try
        {
            int pos = 0;
            for (int pass = 0; pass < Adam7.Passes; pass++)
            {
                var p = Adam7.Pass(pass, header.Width, header.Height);
                if (p.Width == 0 || p.Height == 0) continue;
                int rowBytes = (int)header.RowBytes(p.Width);
                Span<byte> prev = default;
                Span<byte> converted = scratch.AsSpan(0, p.Width * channels);
                for (int j = 0; j < p.Height; j++, pos += rowBytes + 1)
                {
                    int filter = raw[pos];
                    if (filter > PngFilters.Paeth)
                        throw new ImageDecodeException(source,
                            $"PNG row {j} of Adam7 pass {pass + 1} has unknown filter type {filter} (must be 0 to 4)");
                    Span<byte> line = raw.Slice(pos + 1, rowBytes);
                    PngFilters.Unfilter(filter, line, line, prev, bpp);
                    prev = line;
                    PngRowConverter.Convert(header, line, converted, p.Width, palette);
                    int y = p.Y0 + j * p.Dy;
                    Span<byte> dstRow = pixels.Slice(y * header.Width * channels, header.Width * channels);
                    for (int i = 0, x = p.X0; i < p.Width; i++, x += p.Dx)
                        converted.Slice(i * channels, channels).CopyTo(dstRow[(x * channels)..]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
