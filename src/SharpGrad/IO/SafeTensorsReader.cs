using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpGrad.IO;

/// <summary>
/// Reads safetensors files from a stream: the length prefix and header (validated by <see cref="SafeTensorsHeader"/>),
/// the file's length against what the header describes, then each tensor's data straight into the array the tensor
/// adopts. Every problem is an <see cref="InvalidDataException"/> that names the file.
/// </summary>
internal static class SafeTensorsReader
{
    /// <summary>Bytes read per call, and the size of the first allocation when the stream's length is unknown.</summary>
    private const int ChunkBytes = 1 << 24;

    /// <summary>A header and its length in bytes (without the 8-byte prefix).</summary>
    public readonly record struct Header(SafeTensorsHeader Content, long Length);

    /// <summary>
    /// Reads and validates the prefix and header; when <paramref name="available"/> (the bytes from the stream's
    /// position to its end) is known, also checks that the data the header describes is exactly what remains.
    /// </summary>
    public static Header ReadHeader(Stream stream, string source, long? available)
    {
        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        if (got < 8)
            throw Bad(source, got == 0
                ? "the file is empty; a safetensors file starts with an 8-byte header length"
                : $"only {got} bytes long; a safetensors file starts with an 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > SafeTensorsHeader.MaxLength)
            throw Bad(source, $"the header length {n} is larger than the {SafeTensorsHeader.MaxLength}-byte limit: not a safetensors file, or a corrupt one");
        long length = (long)n;
        if (available is long size && 8 + length > size)
            throw Bad(source, $"the header length {n} runs past the end of the file ({size} bytes)");
        var json = new byte[length];
        int read = stream.ReadAtLeast(json, json.Length, throwOnEndOfStream: false);
        if (read < json.Length)
            throw Bad(source, $"truncated in the header: expected {8 + length} bytes of prefix and header, the file has {8 + read}");
        var header = new Header(SafeTensorsHeader.Parse(json, source), length);
        if (available is long total) CheckLength(header, total, source);
        return header;
    }

    /// <summary>Reads the tensors that follow <paramref name="header"/>, in data order.</summary>
    public static Dictionary<string, Tensor> ReadTensors(Stream stream, Header header, string source, bool lengthChecked)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O needs a little-endian machine.");
        IReadOnlyList<SafeTensorsEntry> entries = header.Content.Entries;
        var sizes = new int[entries.Count][];
        var dtypes = new DType[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            SafeTensorsEntry e = entries[i];
            if (!SafeTensorsDTypes.TryGetDType(e.DType, out dtypes[i]))
                throw Bad(source, $"tensor {SafeTensorsJson.Quote(e.Name)}: {e.DType} is not supported; SharpGrad reads {SafeTensorsDTypes.Supported}");
            long count = e.Length / SafeTensorsDTypes.ElementSize(dtypes[i]);
            if (count > Array.MaxLength || e.Shape.Any(d => d > int.MaxValue))
                throw Bad(source, $"tensor {SafeTensorsJson.Quote(e.Name)}: shape {e.ShapeText} ({count} elements) is larger than a SharpGrad tensor can hold ({Array.MaxLength} elements)");
            sizes[i] = Array.ConvertAll(e.Shape, d => (int)d);
        }

        var tensors = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            SafeTensorsEntry e = entries[i];
            int count = (int)(e.Length / SafeTensorsDTypes.ElementSize(dtypes[i]));
            var reading = new Reading(stream, source, header, e.Begin, lengthChecked);
            tensors.Add(e.Name, dtypes[i] switch
            {
                DType.Float32 => Tensor.Adopt(reading.Array<float>(count), sizes[i]),
                DType.Int64 => Tensor.Adopt(reading.Array<long>(count), sizes[i]),
                DType.UInt8 => Tensor.Adopt(reading.Array<byte>(count), sizes[i]),
                _ => Tensor.Adopt(Normalize(reading.Array<bool>(count)), sizes[i]),
            });
        }
        if (!lengthChecked) CheckNothingFollows(stream, header, source);
        return tensors;
    }

    /// <summary>The file must hold exactly the prefix, the header and the data the header describes.</summary>
    private static void CheckLength(Header header, long actual, string source)
    {
        long expected = 8 + header.Length + header.Content.DataLength;
        if (actual < expected)
        {
            SafeTensorsEntry cut = header.Content.Entries.First(e => 8 + header.Length + e.End > actual);
            throw Bad(source, $"truncated: expected {expected} bytes (8 + a {header.Length}-byte header + {header.Content.DataLength} bytes of tensor data), "
                + $"the file has {actual}; the data of tensor {SafeTensorsJson.Quote(cut.Name)} (data_offsets [{cut.Begin}, {cut.End}]) runs past its end");
        }
        if (actual > expected)
            throw Bad(source, $"trailing data belongs to no tensor: expected {expected} bytes, the file has {actual} ({Plural(actual - expected, "byte")} too many); "
                + "the format requires the data to be covered without gaps");
    }

    /// <summary>For a stream whose length was not known up front: nothing may follow the last tensor's data.</summary>
    private static void CheckNothingFollows(Stream stream, Header header, string source)
    {
        var buffer = new byte[1 << 16];
        long extra = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0) extra += n;
        if (extra > 0)
        {
            long expected = 8 + header.Length + header.Content.DataLength;
            throw Bad(source, $"trailing data belongs to no tensor: expected {expected} bytes, the file has {expected + extra} ({Plural(extra, "byte")} too many); "
                + "the format requires the data to be covered without gaps");
        }
    }

    /// <summary>Bool bytes other than 0 and 1 are read as true, and stored as 1 so they compare equal to true.</summary>
    private static bool[] Normalize(bool[] values)
    {
        Span<byte> raw = MemoryMarshal.AsBytes(values.AsSpan());
        if (raw.IndexOfAnyExceptInRange((byte)0, (byte)1) >= 0)
            for (int i = 0; i < raw.Length; i++) raw[i] = raw[i] != 0 ? (byte)1 : (byte)0;
        return values;
    }

    /// <summary>Reads one tensor's elements, knowing where in the data it starts for truncation messages.</summary>
    private readonly struct Reading(Stream stream, string source, Header header, long begin, bool lengthChecked)
    {
        /// <summary>
        /// <paramref name="count"/> elements. When the length was checked the array is allocated whole; otherwise it
        /// grows as data arrives, so a header that lies about sizes cannot make a short stream allocate gigabytes.
        /// </summary>
        public T[] Array<T>(int count) where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            int per = ChunkBytes / size;
            T[] data = lengthChecked ? GC.AllocateUninitializedArray<T>(count) : new T[Math.Min(count, per)];
            int filled = 0;
            while (filled < count)
            {
                if (filled == data.Length) System.Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
                int take = Math.Min(per, data.Length - filled);
                Span<byte> target = MemoryMarshal.AsBytes(data.AsSpan(filled, take));
                int read = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
                if (read < target.Length)
                {
                    long expected = 8 + header.Length + header.Content.DataLength;
                    long actual = 8 + header.Length + begin + (long)filled * size + read;
                    throw Bad(source, $"truncated: expected {expected} bytes, the file has {actual}");
                }
                filled += take;
            }
            return data;
        }
    }

    private static string Plural(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";

    private static InvalidDataException Bad(string source, string problem) => new($"{source}: {problem}.");
}
