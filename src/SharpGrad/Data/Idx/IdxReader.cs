using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpGrad.Data;

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzipped: a zero word, an element-type byte, a rank byte, one big-endian
/// int32 per dimension, then the elements. uint8 elements give a uint8 tensor, int32 an int64 one, float32 a float one.
/// </summary>
public static class IdxReader
{
    private const long MaxElements = 1L << 31;

    /// <summary>Reads the IDX file at <paramref name="path"/>; gzip is detected from its first bytes.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file; the message names the file and what is wrong.</exception>
    public static Tensor Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var raw = new MemoryStream();
                gz.CopyTo(raw);
                bytes = raw.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message}).", e);
            }
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names them in errors.</summary>
    public static Tensor Parse(byte[] bytes, string source = "<memory>")
    {
        if (bytes.Length < 4) throw Bad(source, $"only {bytes.Length} bytes, too short for an IDX header");
        if (bytes[0] != 0 || bytes[1] != 0) throw Bad(source, $"magic number starts with 0x{bytes[0]:x2}{bytes[1]:x2}, expected 0x0000: not an IDX file");
        byte type = bytes[2];
        int rank = bytes[3];
        int elementSize = type switch
        {
            0x08 => 1, 0x0C => 4, 0x0D => 4,
            0x09 => throw Bad(source, "element type 0x09 (int8) is not supported"),
            0x0B => throw Bad(source, "element type 0x0B (int16) is not supported"),
            0x0E => throw Bad(source, "element type 0x0E (float64) is not supported"),
            _ => throw Bad(source, $"unknown element type 0x{type:x2}"),
        };
        if (rank is < 1 or > 8) throw Bad(source, $"rank {rank} is out of range 1..8");
        int header = 4 + 4 * rank;
        if (bytes.Length < header) throw Bad(source, $"the header needs {header} bytes for rank {rank}, the file has {bytes.Length}");
        var sizes = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size < 0) throw Bad(source, $"dimension {d} has negative size {size}");
            sizes[d] = size;
            count *= size;
            if (count > MaxElements) throw Bad(source, $"dimensions [{string.Join(", ", sizes[..(d + 1)])}] hold more than {MaxElements:N0} elements");
        }
        long expected = header + count * elementSize;
        if (bytes.Length != expected)
            throw Bad(source, $"dimensions [{string.Join(", ", sizes)}] need {expected:N0} bytes, the file has {bytes.Length:N0}{(bytes.Length < expected ? " (truncated?)" : "")}");
        ReadOnlySpan<byte> body = bytes.AsSpan(header);
        switch (type)
        {
            case 0x08:
                return Tensor.Adopt(body.ToArray(), sizes);
            case 0x0C:
            {
                var values = new long[count];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32BigEndian(body[(4 * i)..]);
                return Tensor.Adopt(values, sizes);
            }
            default:
            {
                var values = new float[count];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleBigEndian(body[(4 * i)..]);
                return Tensor.Adopt(values, sizes);
            }
        }
    }

    private static InvalidDataException Bad(string source, string problem) => new($"{source}: {problem}.");
}
