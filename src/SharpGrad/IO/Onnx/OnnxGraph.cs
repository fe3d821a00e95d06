using SharpGrad.IO.Onnx.Proto;

namespace SharpGrad.IO.Onnx;

/// <summary>One node of an imported graph, its values resolved to slots (-1 for an omitted optional input).</summary>
internal sealed class OnnxNode(NodeProto proto, int[] inputs, int[] outputs, int index)
{
    public NodeProto Proto { get; } = proto;
    public string OpType => Proto.OpType;
    public int[] Inputs { get; } = inputs;
    public int[] Outputs { get; } = outputs;

    /// <summary>Position in the file, for messages.</summary>
    public int Index { get; } = index;

    /// <summary>"node 'Conv_3' (Conv, #3)": how errors name the node.</summary>
    public string Describe() => $"node '{(Proto.Name.Length > 0 ? Proto.Name : "#" + Index)}' ({OpType}{(Proto.Name.Length > 0 ? $", #{Index}" : "")})";

    public AttributeProto? Attribute(string name)
    {
        foreach (AttributeProto a in Proto.Attribute)
            if (a.Name == name) return a;
        return null;
    }

    public long Int(string name, long fallback) => Attribute(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Attribute(name) is { } a ? a.F : fallback;

    public long[]? Ints(string name) => Attribute(name) is { } a ? a.Ints.ToArray() : null;

    public string String(string name, string fallback) => Attribute(name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>Whether optional input <paramref name="i"/> is given.</summary>
    public bool Has(int i) => i < Inputs.Length && Inputs[i] >= 0;
}

/// <summary>
/// A checked ONNX graph ready to run: every value a numbered slot, nodes in an order where each reads only values
/// computed before it, initializers split into trainable parameters, buffers (batch-norm statistics) and constants.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>Ops SharpGrad runs, in the default ONNX domain.</summary>
    public static readonly HashSet<string> SupportedOps =
    [
        "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Neg", "Exp", "Log", "Sqrt", "Abs", "Sigmoid", "Tanh",
        "Relu", "LeakyRelu", "Reciprocal", "Sign", "Clip", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Not", "Where",
        "Cast", "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "Softmax", "LogSoftmax", "Conv", "BatchNormalization",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Concat", "Flatten", "Reshape", "Transpose", "Dropout",
        "Identity", "Constant", "Shape", "Gather", "GatherElements", "Unsqueeze", "Squeeze", "Split", "Pad", "Slice", "Expand",
    ];

    /// <summary>The opsets of the default domain SharpGrad reads.</summary>
    public const int MinOpset = 8, MaxOpset = 21;

    public required string Source { get; init; }
    public required int Opset { get; init; }
    public required List<OnnxNode> Nodes { get; init; }
    public required int SlotCount { get; init; }
    public required int InputSlot { get; init; }
    public required string InputName { get; init; }

    /// <summary>The input's declared dims (null where symbolic, e.g. the batch).</summary>
    public required int?[] InputDims { get; init; }

    public required int OutputSlot { get; init; }
    public required string OutputName { get; init; }

    /// <summary>Initializers that become the module's parameters (Buffer false) and buffers.</summary>
    public required List<(string Name, int Slot, Tensor Value, bool Buffer)> State { get; init; }

    /// <summary>Constant values: Constant nodes are evaluated here, and initializers that are shapes, axes or integers.</summary>
    public required List<(int Slot, Tensor Value)> Constants { get; init; }

    /// <summary>For each node, the slots whose last reader it is (freed after it runs).</summary>
    public required int[][] FreeAfter { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}
