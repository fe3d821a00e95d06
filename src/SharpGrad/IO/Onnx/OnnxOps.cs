namespace SharpGrad.IO.Onnx;

/// <summary>
/// The exporter's op table: which <see cref="OpKind"/>s have an ONNX mapping and, for the rest, why not. A closed list:
/// a test fails when an op is in neither.
/// </summary>
internal static class OnnxOps
{
    /// <summary>Ops with no ONNX mapping, and the reason given to the user.</summary>
    public static readonly IReadOnlyDictionary<OpKind, string> Unsupported = new Dictionary<OpKind, string>
    {
        [OpKind.MaskPositions] = "indexing with a boolean mask gives a shape that depends on the data; use Where instead",
        [OpKind.BinaryCrossEntropyWithLogits] = "it is a loss, which belongs to training, not to the exported model",
    };

    /// <summary>Ops the exporter writes (every other <see cref="OpKind"/>).</summary>
    public static bool IsExportable(OpKind op) => !Unsupported.ContainsKey(op);
}
