using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpGrad.IO;

/// <summary>
/// Writes tensors in the safetensors format, in the official writer's layout: tensors ordered by dtype alignment
/// (I64, then F32, U8, BOOL) and then by name (byte-wise on the UTF-8), metadata keys in the same name order, each
/// tensor's elements row-major and little-endian (a non-contiguous tensor is written as its contiguous copy).
/// </summary>
internal static class SafeTensorsWriter
{
    private const int ChunkBytes = 1 << 20;

    private sealed record Item(string Name, byte[] NameUtf8, Tensor Tensor);

    public static void Write(Stream output, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O needs a little-endian machine.");

        var items = new List<Item>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, Tensor tensor) in tensors)
        {
            if (!names.Add(name)) throw new ArgumentException($"The tensor name {SafeTensorsJson.Quote(name)} appears twice.", nameof(tensors));
            if (name == "__metadata__")
                throw new ArgumentException("\"__metadata__\" is reserved for the metadata in safetensors files; it cannot name a tensor.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor {SafeTensorsJson.Quote(name)} is null.", nameof(tensors));
            items.Add(new Item(name, Utf8(name, "tensor name", nameof(tensors)), tensor));
        }
        items.Sort((a, b) =>
        {
            int byType = SafeTensorsDTypes.WriteRank(a.Tensor.DType).CompareTo(SafeTensorsDTypes.WriteRank(b.Tensor.DType));
            return byType != 0 ? byType : a.NameUtf8.AsSpan().SequenceCompareTo(b.NameUtf8);
        });

        List<KeyValuePair<string, string>>? meta = null;
        if (metadata is not null)
        {
            var keyed = new List<(byte[] Key, KeyValuePair<string, string> Pair)>();
            foreach ((string key, string value) in metadata)
            {
                if (value is null) throw new ArgumentException($"The metadata value for {SafeTensorsJson.Quote(key)} is null.", nameof(metadata));
                Utf8(value, "metadata value", nameof(metadata));
                keyed.Add((Utf8(key, "metadata key", nameof(metadata)), new(key, value)));
            }
            keyed.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
            meta = keyed.ConvertAll(k => k.Pair);
        }

        var entries = new List<SafeTensorsEntry>(items.Count);
        long offset = 0;
        foreach (Item item in items)
        {
            Tensor t = item.Tensor;
            long length = (long)t.Numel * SafeTensorsDTypes.ElementSize(t.DType);
            entries.Add(new SafeTensorsEntry(item.Name, SafeTensorsDTypes.Name(t.DType), Array.ConvertAll(t.Sizes, d => (long)d), offset, offset + length));
            offset += length;
        }
        byte[] header = SafeTensorsHeaderWriter.Build(entries, meta);
        if (header.Length > SafeTensorsHeader.MaxLength)
            throw new ArgumentException($"The safetensors header would be {header.Length} bytes, more than readers accept ({SafeTensorsHeader.MaxLength}); save fewer tensors per file.", nameof(tensors));

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        output.Write(prefix);
        output.Write(header);
        foreach (Item item in items) WriteData(output, item.Tensor);
        output.Flush();
    }

    /// <summary>The tensor's elements, row-major, as little-endian bytes.</summary>
    private static void WriteData(Stream output, Tensor tensor)
    {
        // Detach so the contiguous copy of a tensor that requires grad is not recorded for autograd.
        // A tensor on a device is written from a host copy, so a file is the same wherever the model trained.
        Tensor t = tensor.IsOnDevice ? tensor.Detach().To(Device.Cpu) : tensor.IsContiguous ? tensor : tensor.Detach().Contiguous();
        switch (t.DType)
        {
            case DType.Float32: WriteChunked<float>(output, t.Contents<float>()); break;
            case DType.Int64: WriteChunked<long>(output, t.Contents<long>()); break;
            case DType.UInt8: output.Write(t.Contents<byte>()); break;
            case DType.Bool: WriteBools(output, t.Contents<bool>()); break;
            default: throw new InvalidOperationException($"No safetensors dtype for {t.DType}.");
        }
    }

    /// <summary>Writes the bytes of <paramref name="values"/> a chunk at a time (a span of bytes cannot pass 2 GB).</summary>
    private static void WriteChunked<T>(Stream output, ReadOnlySpan<T> values) where T : unmanaged
    {
        int per = ChunkBytes / Unsafe.SizeOf<T>();
        for (int i = 0; i < values.Length; i += per)
            output.Write(MemoryMarshal.AsBytes(values.Slice(i, Math.Min(per, values.Length - i))));
    }

    /// <summary>Bools as bytes 0 and 1 (a bool whose byte is some other non-zero value is written as 1).</summary>
    private static void WriteBools(Stream output, ReadOnlySpan<bool> values)
    {
        ReadOnlySpan<byte> raw = MemoryMarshal.AsBytes(values);
        if (raw.IndexOfAnyExceptInRange((byte)0, (byte)1) < 0)
        {
            output.Write(raw);
            return;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int i = 0; i < raw.Length; i += ChunkBytes)
            {
                int n = Math.Min(ChunkBytes, raw.Length - i);
                for (int j = 0; j < n; j++) buffer[j] = raw[i + j] != 0 ? (byte)1 : (byte)0;
                output.Write(buffer, 0, n);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static byte[] Utf8(string value, string what, string parameter)
    {
        if (!SafeTensorsJson.IsWellFormed(value))
            throw new ArgumentException($"The {what} {SafeTensorsJson.Quote(value)} holds a lone surrogate and cannot be written as UTF-8.", parameter);
        return SafeTensorsJson.StrictUtf8.GetBytes(value);
    }
}
