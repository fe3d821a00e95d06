using System.Buffers.Binary;
using System.IO.Compression;
using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>The IDX reader on well-formed and malformed files.</summary>
public class IdxReaderTests
{
    private static byte[] Idx(byte type, int[] dims, byte[] body)
    {
        var bytes = new byte[4 + 4 * dims.Length + body.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        body.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    [Fact]
    public void Ubyte_images_read_with_their_shape()
    {
        byte[] body = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        Tensor t = IdxReader.Parse(Idx(0x08, [2, 3, 4], body));
        Assert.Equal(DType.UInt8, t.DType);
        Assert.Equal([2, 3, 4], t.Shape.ToArray());
        Assert.Equal(body, t.ToArray<byte>());
    }

    [Fact]
    public void Int32_and_float_elements_are_big_endian()
    {
        var ints = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(ints, -5);
        BinaryPrimitives.WriteInt32BigEndian(ints.AsSpan(4), 70000);
        Assert.Equal([-5L, 70000L], IdxReader.Parse(Idx(0x0C, [2], ints)).ToArray<long>());
        var floats = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(floats, 1.5f);
        Assert.Equal([1.5f], IdxReader.Parse(Idx(0x0D, [1], floats)).ToArray<float>());
    }

    [Fact]
    public void Gzipped_files_are_detected()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "labels.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest)) gz.Write(Idx(0x08, [3], [7, 8, 9]));
        Assert.Equal([(byte)7, 8, 9], IdxReader.Read(path).ToArray<byte>());
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8 }, "too short")]
    [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 }, "not an IDX file")]
    [InlineData(new byte[] { 0, 0, 0x0E, 1, 0, 0, 0, 1, 5 }, "float64")]
    [InlineData(new byte[] { 0, 0, 0x42, 1, 0, 0, 0, 1, 5 }, "unknown element type 0x42")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, "rank 0")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 1 }, "header needs 12 bytes")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 5 }, "need 11 bytes, the file has 9 (truncated?)")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 5, 6 }, "need 9 bytes, the file has 10")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff }, "negative size")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff }, "more than")]
    public void Malformed_files_name_the_file_and_the_problem(byte[] bytes, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(bytes, "bad-idx3-ubyte"));
        Assert.StartsWith("bad-idx3-ubyte: ", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
