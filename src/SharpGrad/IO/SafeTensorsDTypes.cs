namespace SharpGrad.IO;

/// <summary>
/// The element types the safetensors format defines (their names in a header and their sizes) and how they map to
/// SharpGrad's <see cref="DType"/>.
/// </summary>
internal static class SafeTensorsDTypes
{
    /// <summary>Bits per element of every dtype the format defines, SharpGrad's or not.</summary>
    private static readonly Dictionary<string, int> Bits = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8, ["U8"] = 8, ["I8"] = 8, ["F8_E5M2"] = 8, ["F8_E4M3"] = 8, ["F8_E8M0"] = 8,
        ["F4"] = 4, ["F6_E2M3"] = 6, ["F6_E3M2"] = 6,
        ["I16"] = 16, ["U16"] = 16, ["F16"] = 16, ["BF16"] = 16,
        ["I32"] = 32, ["U32"] = 32, ["F32"] = 32,
        ["I64"] = 64, ["U64"] = 64, ["F64"] = 64, ["C64"] = 64,
    };

    /// <summary>The dtypes SharpGrad reads and writes, for messages.</summary>
    public const string Supported = "F32, I64, BOOL, U8";

    /// <summary>The bits per element of a dtype the format defines; false for a name it does not define.</summary>
    public static bool TryGetBits(string name, out int bits) => Bits.TryGetValue(name, out bits);

    /// <summary>The header name of a SharpGrad dtype.</summary>
    public static string Name(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        DType.UInt8 => "U8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The SharpGrad dtype of a header name; false for a dtype SharpGrad does not hold.</summary>
    public static bool TryGetDType(string name, out DType dtype)
    {
        switch (name)
        {
            case "F32": dtype = DType.Float32; return true;
            case "I64": dtype = DType.Int64; return true;
            case "BOOL": dtype = DType.Bool; return true;
            case "U8": dtype = DType.UInt8; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Bytes per element of a SharpGrad dtype.</summary>
    public static int ElementSize(DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Int64 => 8,
        DType.Bool or DType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>
    /// Where a dtype's tensors go in a file the official writer makes: it orders tensors by dtype alignment, largest
    /// first (its Dtype enum, which lists BOOL, U8, …, F32, F64, I64, … in increasing alignment, reversed), then by name.
    /// Lower ranks come first.
    /// </summary>
    public static int WriteRank(DType dtype) => dtype switch
    {
        DType.Int64 => 0,
        DType.Float32 => 1,
        DType.UInt8 => 2,
        DType.Bool => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
