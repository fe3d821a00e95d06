using System.Buffers.Binary;
using System.Text;
using SharpGrad.IO;

namespace SharpGrad.Tests.IO;

/// <summary>Helpers for the safetensors tests: raw files built by hand, and round trips through a temporary file.</summary>
internal static class SafeTensorsFiles
{
    /// <summary>The folder of the reference files written by <c>safetensors_reference.py</c>.</summary>
    public static string Assets => Path.Combine(AppContext.BaseDirectory, "assets", "safetensors");

    /// <summary>
    /// A file from its header text and data: the 8-byte length (<paramref name="headerLength"/>, by default the
    /// header's UTF-8 length), the header, the data. No padding is added.
    /// </summary>
    public static byte[] Raw(string header, byte[]? data = null, ulong? headerLength = null) =>
        Raw(Encoding.UTF8.GetBytes(header), data, headerLength);

    /// <summary>A file from header bytes and data.</summary>
    public static byte[] Raw(byte[] header, byte[]? data = null, ulong? headerLength = null)
    {
        data ??= [];
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>The header text of a safetensors file's bytes (without the padding).</summary>
    public static string HeaderText(byte[] file)
    {
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return Encoding.UTF8.GetString(file, 8, n).TrimEnd(' ');
    }

    /// <summary>The bytes <see cref="SafeTensors.Save(Stream, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/> writes.</summary>
    public static byte[] Bytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        SafeTensors.Save(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>The bytes of a tensor's elements, row-major.</summary>
    public static byte[] ElementBytes(Tensor t) => t.DType switch
    {
        DType.Float32 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToArray<float>().AsSpan()).ToArray(),
        DType.Int64 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToArray<long>().AsSpan()).ToArray(),
        DType.Bool => System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToArray<bool>().AsSpan()).ToArray(),
        _ => t.ToArray<byte>(),
    };

    /// <summary>Whether two tensors have the same dtype, shape and element bytes (so NaN payloads and -0 count).</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(ElementBytes(expected), ElementBytes(actual));
    }

    /// <summary>A stream that cannot seek, so readers cannot learn its length up front.</summary>
    public sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override int Read(Span<byte> buffer) => _inner.Read(buffer[..Math.Min(buffer.Length, 1000)]);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
