using SharpGrad.Data.Images;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SharpGrad.Tests.Data.Images;

/// <summary>Builds PNG files chunk by chunk, valid or deliberately broken.</summary>
public static class PngBuilder
{
    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>A chunk with a correct CRC (or <paramref name="crc"/> if given).</summary>
    public static byte[] Chunk(string type, ReadOnlySpan<byte> data, uint? crc = null)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), crc ?? Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] IhdrData(uint width, uint height, byte bitDepth, byte colorType, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(d, width);
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(4), height);
        d[8] = bitDepth;
        d[9] = colorType;
        d[10] = compression;
        d[11] = filter;
        d[12] = interlace;
        return d;
    }

    public static byte[] Ihdr(uint width, uint height, byte bitDepth, byte colorType, byte interlace = 0) =>
        Chunk("IHDR", IhdrData(width, height, bitDepth, colorType, interlace));

    public static byte[] Zlib(ReadOnlySpan<byte> raw)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    public static byte[] Png(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    /// <summary>An 8-bit gray PNG whose rows all use filter 0 (None), pixel (x, y) = x * 16 + y.</summary>
    public static byte[] Gray8(int width, int height, out byte[] pixels)
    {
        pixels = new byte[width * height];
        var raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                raw[y * (width + 1) + 1 + x] = pixels[y * width + x] = (byte)(x * 16 + y);
        return Png(Ihdr((uint)width, (uint)height, 8, 0), Chunk("IDAT", Zlib(raw)), Chunk("IEND", []));
    }

    /// <summary>The chunks of a PNG: type, offset of the length field, data length.</summary>
    public static List<(string Type, int Offset, int Length)> Chunks(byte[] png)
    {
        var list = new List<(string, int, int)>();
        for (int pos = 8; pos + 8 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            if (length < 0 || length > png.Length) break;
            list.Add((Encoding.ASCII.GetString(png, pos + 4, 4), pos, length));
            pos += 12 + length;
        }
        return list;
    }

    /// <summary>Recomputes the CRC of every chunk, so that a corruption reaches the decoder's later checks.</summary>
    public static byte[] FixCrcs(byte[] png)
    {
        var copy = (byte[])png.Clone();
        foreach (var (_, offset, length) in Chunks(png))
            if (offset + 12 + length <= copy.Length)
                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset + 8 + length), Crc32.Compute(copy.AsSpan(offset + 4, 4 + length)));
        return copy;
    }
}
