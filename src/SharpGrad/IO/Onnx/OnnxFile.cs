using System.Runtime.InteropServices;
using Google.Protobuf;
using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// Reads ONNX models (the protobuf <c>ModelProto</c>) and their tensors, refusing malformed or hostile files with a
/// message that names the file: sizes are checked before anything is allocated, and external data may only come from
/// files inside the model's folder.
/// </summary>
internal static class OnnxFile
{
    /// <summary>Largest model file read: protobuf messages are limited to 2 GB; bigger models keep their weights in external data.</summary>
    private const long MaxBytes = int.MaxValue;

    /// <summary>Parses the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a protobuf ModelProto, truncated, or without a graph.</exception>
    public static ModelProto Load(string path)
    {
        var info = new FileInfo(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"'{path}' is a folder, not an ONNX model file.");
        if (!info.Exists) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        if (info.Length > MaxBytes) throw new InvalidDataException($"{path}: {info.Length:N0} bytes is over the 2 GB protobuf limit.");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Parse(stream, path);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>Parses a model from <paramref name="bytes"/>; <paramref name="name"/> names it in errors.</summary>
    public static ModelProto Parse(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Parse(stream, name);
    }

    private static ModelProto Parse(Stream stream, string path)
    {
        ModelProto model;
        try
        {
            // A length prefix larger than what is left of the stream fails as truncated before any buffer of that size exists.
            using var input = new CodedInputStream(stream, leaveOpen: true);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a readable ONNX model ({e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"{path}: the ONNX model has no graph (is it truncated, or not an ONNX file?).");
        return model;
    }

    /// <summary>The dims of <paramref name="t"/>, checked: non-negative, and a total that fits an array.</summary>
    public static int[] Dims(TensorProto t, string path)
    {
        var dims = new int[t.Dims.Count];
        long total = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long d = t.Dims[i];
            if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"{path}: tensor '{t.Name}' has an invalid dimension {d}.");
            total = d == 0 ? 0 : total > Array.MaxLength / d ? long.MaxValue : total * d;
            if (total > Array.MaxLength) throw new InvalidDataException($"{path}: tensor '{t.Name}' with dims [{string.Join(", ", t.Dims)}] is too large.");
            dims[i] = (int)d;
        }
        return dims;
    }

    /// <summary>The element size in bytes of the ONNX types SharpGrad reads, or 0 for others.</summary>
    private static int ElementSize(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Float => 4,
        TensorProto.Types.DataType.Int64 => 8,
        TensorProto.Types.DataType.Int32 => 4,
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 => 1,
        _ => 0,
    };

    /// <summary>
    /// A float32, int64, int32 (read as int64), bool or uint8 tensor's values as a SharpGrad tensor (a copy). External
    /// data is read from <paramref name="folder"/> (the model's folder) when given.
    /// </summary>
    /// <exception cref="InvalidDataException">Another element type, data whose length does not match the dims, or external data outside the model's folder.</exception>
    public static Tensor ToTensor(TensorProto t, string path, string? folder = null)
    {
        int[] dims = Dims(t, path);
        long n = 1;
        foreach (int d in dims) n *= d;
        var type = (TensorProto.Types.DataType)t.DataType;
        int size = ElementSize(type);
        if (size == 0)
            throw new InvalidDataException($"{path}: tensor '{t.Name}' has ONNX element type {type}; SharpGrad reads float, int64, int32, bool and uint8 tensors.");
        bool external = t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0;
        if (external)
        {
            byte[] bytes = ReadExternal(t, path, folder, n * size);
            return FromBytes(type, bytes, dims);
        }
        if (!t.RawData.IsEmpty)
        {
            // Checked before allocating: a tensor claiming gigabytes with a few bytes of data is refused, not allocated.
            if (t.RawData.Length != n * size) throw Mismatch(t, path, t.RawData.Length, n * size);
            return FromBytes(type, t.RawData.Span, dims);
        }
        long count = type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Count,
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
            _ => t.Int32Data.Count,
        };
        if (count != n) throw Mismatch(t, path, count * size, n * size);
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                return Tensor.Adopt(t.FloatData.ToArray(), dims);
            case TensorProto.Types.DataType.Int64:
                return Tensor.Adopt(t.Int64Data.ToArray(), dims);
            case TensorProto.Types.DataType.Int32:
                return Tensor.Adopt(t.Int32Data.Select(v => (long)v).ToArray(), dims);
            case TensorProto.Types.DataType.Bool:
                return Tensor.Adopt(t.Int32Data.Select(v => v != 0).ToArray(), dims);
            default:
                return Tensor.Adopt(t.Int32Data.Select(v => (byte)v).ToArray(), dims);
        }
    }

    private static Tensor FromBytes(TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, int[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        return type switch
        {
            TensorProto.Types.DataType.Float => Tensor.Adopt(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), dims),
            TensorProto.Types.DataType.Int64 => Tensor.Adopt(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), dims),
            TensorProto.Types.DataType.Int32 => Tensor.Adopt(Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (long)v), dims),
            TensorProto.Types.DataType.Bool => Tensor.Adopt(Array.ConvertAll(bytes.ToArray(), b => b != 0), dims),
            _ => Tensor.Adopt(bytes.ToArray(), dims),
        };
    }

    /// <summary>
    /// The bytes of an external-data tensor: <c>location</c> must name a file inside <paramref name="folder"/> (no
    /// absolute path, no <c>..</c>, no link leading out), and <c>offset</c>/<c>length</c> must lie within it.
    /// </summary>
    private static byte[] ReadExternal(TensorProto t, string path, string? folder, long expected)
    {
        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        if (folder is null)
            throw new InvalidDataException($"{path}: tensor '{t.Name}' keeps its data in an external file, which is only read when the model is loaded from a file.");
        if (!entries.TryGetValue("location", out string? location) || string.IsNullOrEmpty(location))
            throw new InvalidDataException($"{path}: tensor '{t.Name}' has external data without a location.");
        string root = Path.GetFullPath(folder);
        string file = Path.GetFullPath(Path.Combine(root, location));
        string rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(location) || !file.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: tensor '{t.Name}' refers to external data '{location}' outside the model's folder; refused.");
        var info = new FileInfo(file);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is { } target && !Path.GetFullPath(target.FullName).StartsWith(rootWithSeparator, StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: tensor '{t.Name}' refers to external data '{location}', a link leading outside the model's folder; refused.");
        if (!info.Exists) throw new InvalidDataException($"{path}: tensor '{t.Name}' refers to external data '{location}', which does not exist.");
        long offset = entries.TryGetValue("offset", out string? o) && long.TryParse(o, out long ov) ? ov : 0;
        long length = entries.TryGetValue("length", out string? l) && long.TryParse(l, out long lv) ? lv : info.Length - offset;
        if (offset < 0 || length != expected || offset + length > info.Length)
            throw new InvalidDataException($"{path}: tensor '{t.Name}' wants {expected:N0} bytes from '{location}' at offset {offset:N0} (length {length:N0}), " +
                $"but the file holds {info.Length:N0} bytes.");
        var bytes = new byte[length];
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static InvalidDataException Mismatch(TensorProto t, string path, long got, long want) =>
        new($"{path}: tensor '{t.Name}' with dims [{string.Join(", ", t.Dims)}] holds {got:N0} bytes of data, expected {want:N0}.");

    /// <summary>The integer list attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/>.</summary>
    public static long[] Ints(NodeProto node, string name, long[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : fallback;

    /// <summary>The float attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/>.</summary>
    public static float Float(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
}
