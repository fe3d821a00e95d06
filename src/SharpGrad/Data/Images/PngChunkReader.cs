using System.Buffers.Binary;

namespace SharpGrad.Data.Images;

/// <summary>
/// Walks the chunks of a PNG file held in memory, checking each chunk's length, type and CRC before handing it out.
/// </summary>
internal ref struct PngChunkReader
{
    public const uint IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44;

    /// <summary>The length field, type, and CRC around a chunk's data.</summary>
    public const int Overhead = 12;

    private readonly ReadOnlySpan<byte> _file;
    private readonly string? _source;
    private int _pos;

    public PngChunkReader(ReadOnlySpan<byte> file, int start, string? source)
    {
        _file = file;
        _pos = start;
        _source = source;
    }

    /// <summary>The offset of the next chunk.</summary>
    public readonly int Position => _pos;

    /// <summary>Whether a complete chunk header of type <paramref name="type"/> comes next (nothing is checked or consumed).</summary>
    public readonly bool NextHasType(uint type) =>
        _file.Length - _pos >= 8 && BinaryPrimitives.ReadUInt32BigEndian(_file[(_pos + 4)..]) == type;

    /// <summary>
    /// Reads the next chunk; <see langword="false"/> when the data ends exactly at a chunk boundary.
    /// Throws <see cref="ImageDecodeException"/> for a truncated chunk, a length over 2^31 - 1, a type that is not
    /// four ASCII letters, or a CRC mismatch.
    /// </summary>
    public bool TryRead(out PngChunk chunk)
    {
        int remaining = _file.Length - _pos;
        if (remaining == 0)
        {
            chunk = default;
            return false;
        }
        if (remaining < 8)
            throw Error($"PNG file is truncated: the chunk header at offset {_pos} needs 8 bytes, only {remaining} remain");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(_file[_pos..]);
        uint type = BinaryPrimitives.ReadUInt32BigEndian(_file[(_pos + 4)..]);
        if (!IsLetters(type))
            throw Error($"PNG chunk at offset {_pos} has an invalid type {Describe(type)} (expected four ASCII letters)");
        if (length > int.MaxValue)
            throw Error($"PNG chunk {TypeName(type)} at offset {_pos} has length {length}, over the limit of {int.MaxValue}");
        if (length + 4L > remaining - 8)
            throw Error($"PNG chunk {TypeName(type)} at offset {_pos} is truncated: it needs {length + 4L} bytes of data and CRC, only {remaining - 8} remain");
        ReadOnlySpan<byte> typeAndData = _file.Slice(_pos + 4, 4 + (int)length);
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(_file[(_pos + 8 + (int)length)..]);
        uint computed = Crc32.Compute(typeAndData);
        if (stored != computed)
            throw Error($"PNG chunk {TypeName(type)} at offset {_pos} has a bad CRC (stored 0x{stored:X8}, computed 0x{computed:X8})");
        chunk = new PngChunk(type, typeAndData[4..], _pos);
        _pos += Overhead + (int)length;
        return true;
    }

    public static string TypeName(uint type) => IsLetters(type)
        ? string.Create(4, type, static (s, t) =>
        {
            for (int i = 0; i < 4; i++) s[i] = (char)((t >> (24 - 8 * i)) & 0xFF);
        })
        : Describe(type);

    private static string Describe(uint type) => $"0x{type:X8}";

    private static bool IsLetters(uint type)
    {
        for (int shift = 0; shift < 32; shift += 8)
        {
            uint c = (type >> shift) & 0xFF;
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        }
        return true;
    }

    private readonly ImageDecodeException Error(string message) => new(_source, message);
}
