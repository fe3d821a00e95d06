using Google.Protobuf;
using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.IO.Onnx;

/// <summary>Reads ONNX models (the protobuf <c>ModelProto</c>) and their tensors, refusing malformed files with a message that names the file.</summary>
internal static class OnnxFile
{
    /// <summary>Largest model file read: protobuf messages are limited to 2 GB; bigger models keep their weights in external data.</summary>
    private const long MaxBytes = int.MaxValue;

    /// <summary>Parses the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a protobuf ModelProto, truncated, or without a graph.</exception>
    public static ModelProto Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        if (info.Length > MaxBytes) throw new InvalidDataException($"{path}: {info.Length:N0} bytes is over the 2 GB protobuf limit.");
        ModelProto model;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a readable ONNX model ({e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"{path}: the ONNX model has no graph (is it truncated?).");
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

    /// <summary>A float32 or int64 tensor's values as a SharpGrad tensor (a copy).</summary>
    /// <exception cref="InvalidDataException">Another element type, external data, or a data length that does not match the dims.</exception>
    public static Tensor ToTensor(TensorProto t, string path)
    {
        int[] dims = Dims(t, path);
        long n = 1;
        foreach (int d in dims) n *= d;
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new InvalidDataException($"{path}: tensor '{t.Name}' keeps its data in an external file, which SharpGrad does not read.");
        switch ((TensorProto.Types.DataType)t.DataType)
        {
            case TensorProto.Types.DataType.Float:
            {
                var values = new float[n];
                if (!t.RawData.IsEmpty)
                {
                    if (t.RawData.Length != n * 4) throw Mismatch(t, path, t.RawData.Length, n * 4);
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).CopyTo(values);
                    if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
                }
                else
                {
                    if (t.FloatData.Count != n) throw Mismatch(t, path, t.FloatData.Count * 4L, n * 4);
                    t.FloatData.CopyTo(values, 0);
                }
                return Tensor.From(values, dims);
            }
            case TensorProto.Types.DataType.Int64:
            {
                var values = new long[n];
                if (!t.RawData.IsEmpty)
                {
                    if (t.RawData.Length != n * 8) throw Mismatch(t, path, t.RawData.Length, n * 8);
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(t.RawData.Span).CopyTo(values);
                }
                else
                {
                    if (t.Int64Data.Count != n) throw Mismatch(t, path, t.Int64Data.Count * 8L, n * 8);
                    t.Int64Data.CopyTo(values, 0);
                }
                return Tensor.From(values, dims);
            }
            default:
                throw new InvalidDataException($"{path}: tensor '{t.Name}' has ONNX element type {(TensorProto.Types.DataType)t.DataType}; SharpGrad reads float and int64 tensors.");
        }
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
