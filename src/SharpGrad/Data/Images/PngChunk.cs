namespace SharpGrad.Data.Images;

/// <summary>One PNG chunk: its type as a big-endian integer, its data, and where it starts in the file.</summary>
internal readonly ref struct PngChunk
{
    public PngChunk(uint type, ReadOnlySpan<byte> data, int offset)
    {
        Type = type;
        Data = data;
        Offset = offset;
    }

    public uint Type { get; }
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The offset of the chunk's length field in the file.</summary>
    public int Offset { get; }

    public string Name => PngChunkReader.TypeName(Type);
}
