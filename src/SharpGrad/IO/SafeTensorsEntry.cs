namespace SharpGrad.IO;

/// <summary>
/// One tensor as a safetensors header describes it: its name, dtype name (any the format defines), shape and the
/// byte range <c>[Begin, End)</c> of its data, relative to the start of the data that follows the header.
/// </summary>
internal sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of data bytes.</summary>
    public long Length => End - Begin;

    /// <summary>The shape as <c>[2, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
