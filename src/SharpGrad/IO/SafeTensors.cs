using System.Text;

namespace SharpGrad.IO;

/// <summary>
/// Saves and loads named tensors in Hugging Face's safetensors format, the format PyTorch's
/// <c>safetensors.torch.save_file</c>/<c>load_file</c> use: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON (<c>{"name": {"dtype": "F32", "shape": [30, 784], "data_offsets": [begin, end]}, …, "__metadata__": {…}}</c>,
/// padded with spaces to a multiple of 8), then the tensors' raw little-endian bytes, back to back.
/// </summary>
/// <remarks>
/// SharpGrad reads and writes the dtypes F32, I64, BOOL and U8 (its <see cref="DType"/>s). Files are written exactly
/// as the official library writes them (same tensor order, JSON and padding), so a state dict saved here is
/// byte-identical to PyTorch's, and written atomically. Reading validates the whole file first and reports any
/// problem as an <see cref="InvalidDataException"/> naming the file.
/// </remarks>
public static class SafeTensors
{
    /// <summary>
    /// Writes <paramref name="tensors"/> (and optional string-to-string <paramref name="metadata"/>) to
    /// <paramref name="path"/>, atomically: the bytes go to a temporary file beside it, are flushed to disk and then
    /// renamed over <paramref name="path"/>, so on any failure an existing file there is left untouched.
    /// </summary>
    /// <remarks>
    /// Tensors are laid out as the official writer lays them out (I64, then F32, U8 and BOOL tensors, each group by
    /// name), so the same tensors always give the same bytes. Non-contiguous tensors are written as their contiguous
    /// copy, 0-d tensors with shape <c>[]</c>. Tensors that share storage are each written in full.
    /// </remarks>
    /// <exception cref="ArgumentException">A tensor is named <c>__metadata__</c>, a tensor or metadata value is null,
    /// or a name holds a lone surrogate.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.Write(path, stream => SafeTensorsWriter.Write(stream, tensors, metadata));
    }

    /// <summary>Writes <paramref name="tensors"/> in the safetensors format to <paramref name="stream"/> (not atomically).</summary>
    /// <exception cref="ArgumentException">As for <see cref="Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>.</exception>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        SafeTensorsWriter.Write(stream, tensors, metadata);
    }

    /// <summary>Reads every tensor in the safetensors file at <paramref name="path"/>, in the order of their data in the file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, or holds a dtype SharpGrad does not
    /// read (F16, BF16, …); the message names the file and the problem.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using FileStream stream = OpenRead(path);
        SafeTensorsReader.Header header = SafeTensorsReader.ReadHeader(stream, path, stream.Length);
        return SafeTensorsReader.ReadTensors(stream, header, path, lengthChecked: true);
    }

    /// <summary>
    /// Reads every tensor of a safetensors file from <paramref name="stream"/>, which must hold the file from its current
    /// position to its end. <paramref name="name"/> names it in errors (by default a file stream's path, else "stream").
    /// </summary>
    /// <exception cref="InvalidDataException">As for <see cref="Load(string)"/>.</exception>
    public static Dictionary<string, Tensor> Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = name ?? (stream as FileStream)?.Name ?? "stream";
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;
        SafeTensorsReader.Header header = SafeTensorsReader.ReadHeader(stream, source, available);
        return SafeTensorsReader.ReadTensors(stream, header, source, lengthChecked: available is not null);
    }

    /// <summary>
    /// The <c>__metadata__</c> of the safetensors file at <paramref name="path"/> (empty when it has none), reading only
    /// its header; the file is validated as <see cref="Load(string)"/> validates it, except for its dtypes.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        SafeTensorsHeader header = ReadHeader(path);
        return header.Metadata is { } metadata ? new Dictionary<string, string>(metadata, StringComparer.Ordinal) : new Dictionary<string, string>();
    }

    /// <summary>
    /// One line per tensor of the safetensors file at <paramref name="path"/>, in the order of their data:
    /// <c>name dtype [shape]</c>, e.g. <c>0.weight F32 [30, 784]</c>. Reads only the header, so it lists dtypes
    /// SharpGrad cannot load too; names with spaces, quotes or control characters are shown as JSON strings.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static string Describe(string path)
    {
        SafeTensorsHeader header = ReadHeader(path);
        var sb = new StringBuilder();
        foreach (SafeTensorsEntry e in header.Entries)
        {
            if (sb.Length > 0) sb.Append('\n');
            bool plain = e.Name.Length > 0 && !e.Name.Any(c => c <= ' ' || c == '"' || c == '\\');
            sb.Append(plain ? e.Name : SafeTensorsJson.Quote(e.Name)).Append(' ').Append(e.DType).Append(' ').Append(e.ShapeText);
        }
        return sb.ToString();
    }

    private static SafeTensorsHeader ReadHeader(string path)
    {
        using FileStream stream = OpenRead(path);
        return SafeTensorsReader.ReadHeader(stream, path, stream.Length).Content;
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }
}
