using System.IO.Compression;

namespace SharpGrad.Data.Images;

/// <summary>Inflates the zlib stream carried by a PNG's IDAT chunks, with <see cref="ZLibStream"/> over the bytes in place.</summary>
internal static class ZlibInflater
{
    /// <summary>
    /// Inflates <paramref name="zlib"/> into <paramref name="destination"/> and returns the number of bytes written,
    /// fewer than its length when the stream ends early. Decoding stops once <paramref name="destination"/> is full:
    /// surplus data and the Adler-32 trailer after that point are not examined (PIL does the same).
    /// </summary>
    public static unsafe int Inflate(ReadOnlySpan<byte> zlib, Span<byte> destination, string? source)
    {
        if (zlib.Length < 2)
            throw new ImageDecodeException(source, $"PNG image data is {zlib.Length} byte(s), too short for a zlib header");
        int cmf = zlib[0], flg = zlib[1];
        if ((cmf & 0x0F) != 8)
            throw new ImageDecodeException(source, $"PNG image data uses zlib compression method {cmf & 0x0F}, not 8 (deflate)");
        if ((cmf >> 4) > 7)
            throw new ImageDecodeException(source, $"PNG image data has an invalid zlib window size code {cmf >> 4} (at most 7)");
        if ((cmf * 256 + flg) % 31 != 0)
            throw new ImageDecodeException(source, "PNG image data has a bad zlib header check (FCHECK)");
        if ((flg & 0x20) != 0)
            throw new ImageDecodeException(source, "PNG image data asks for a preset zlib dictionary, which PNG does not allow");
        int written = 0;
        fixed (byte* p = zlib)
        {
            using var input = new UnmanagedMemoryStream(p, zlib.Length);
            using var inflater = new ZLibStream(input, CompressionMode.Decompress);
            try
            {
                while (written < destination.Length)
                {
                    int n = inflater.Read(destination[written..]);
                    if (n == 0) break;
                    written += n;
                }
            }
            catch (InvalidDataException e)
            {
                throw new ImageDecodeException(source, $"PNG image data is not a valid deflate stream ({e.Message})", e);
            }
        }
        return written;
    }
}
