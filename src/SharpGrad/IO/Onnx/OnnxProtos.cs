using System.Runtime.InteropServices;
using Google.Protobuf;
using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.IO.Onnx;

/// <summary>Small constructors for the ONNX messages the exporter writes.</summary>
internal static class OnnxProtos
{
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto TensorValue(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    /// <summary>The ONNX element type of <paramref name="dtype"/>.</summary>
    public static int ElementType(DType dtype) => (int)(dtype switch
    {
        DType.Float32 => TensorProto.Types.DataType.Float,
        DType.Int64 => TensorProto.Types.DataType.Int64,
        DType.Bool => TensorProto.Types.DataType.Bool,
        DType.UInt8 => TensorProto.Types.DataType.Uint8,
        _ => throw new NotSupportedException($"ONNX export: no ONNX element type for {dtype.TorchName()}."),
    });

    /// <summary>A tensor's values as a <c>TensorProto</c> named <paramref name="name"/> (raw little-endian data).</summary>
    public static TensorProto FromTensor(string name, Tensor t)
    {
        var proto = new TensorProto { Name = name, DataType = ElementType(t.DType) };
        foreach (int d in t.Sizes) proto.Dims.Add(d);
        Tensor c = t.Contiguous();
        proto.RawData = c.DType switch
        {
            DType.Float32 => ByteString.CopyFrom(MemoryMarshal.AsBytes(c.Contents<float>())),
            DType.Int64 => ByteString.CopyFrom(MemoryMarshal.AsBytes(c.Contents<long>())),
            DType.Bool => ByteString.CopyFrom(MemoryMarshal.AsBytes(c.Contents<bool>())),
            _ => ByteString.CopyFrom(c.Contents<byte>()),
        };
        return proto;
    }

    /// <summary>A 1-D int64 tensor.</summary>
    public static TensorProto Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return proto;
    }

    /// <summary>A value's type: <paramref name="dtype"/> with the given dims (null entries become the named dim <c>batch</c>).</summary>
    public static ValueInfoProto ValueInfo(string name, DType dtype, IReadOnlyList<int?> dims)
    {
        var shape = new TensorShapeProto();
        foreach (int? d in dims)
            shape.Dim.Add(d is int v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType(dtype), Shape = shape } },
        };
    }

    /// <summary>The IR version that goes with <paramref name="opset"/> (ONNX's versioning table).</summary>
    public static long IrVersion(int opset) => opset switch
    {
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };
}
