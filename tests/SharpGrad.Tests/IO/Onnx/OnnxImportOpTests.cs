using Google.Protobuf;
using SharpGrad.IO.Onnx;
using SharpGrad.IO.Onnx.Proto;
using static SharpGrad.IO.Onnx.OnnxProtos;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>
/// Every op the importer runs, in a one- or two-node model built here, against ONNX Runtime on the same file. A closed
/// list: <see cref="EveryImportedOpIsTested"/> fails when <see cref="OnnxImport.SupportedOps"/> and these cases differ.
/// </summary>
public class OnnxImportOpTests
{
    private static readonly int[] Image = [2, 3, 4, 4], Rows = [2, 12];

    private static NodeProto N(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = op + "_" + output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        return n;
    }

    /// <summary>A split of the last dim into 1 and 3: two outputs, the first of which is the result.</summary>
    private static NodeProto SplitNode()
    {
        NodeProto n = N("Split", ["x", "s"], "y", Int("axis", 3));
        n.Output.Add("z");
        return n;
    }

    private static TensorProto F(string name, Tensor t) => FromTensor(name, t);

    /// <summary>A case: the op it tests, the input shape, the nodes (the last one's output is the result) and the initializers.</summary>
    private sealed record Case(string Op, int[] Shape, NodeProto[] Nodes, TensorProto[] Init);

    private static Case Unary(string op, params AttributeProto[] a) => new(op, Image, [N(op, ["x"], "y", a)], []);

    private static Case Binary(string op) => new(op, Image, [N(op, ["x", "c"], "y")], [F("c", Tensor.Rand(4) + 0.5f)]);

    /// <summary>A bool-valued op, cast to float for comparison.</summary>
    private static Case Predicate(string op) =>
        new(op, Image, [N(op, ["x", "c"], "b"), N("Cast", ["b"], "y", Int("to", 1))], [F("c", Tensor.Full([4], 0.9f))]);

    private static readonly Case[] Cases =
    [
        new("Gemm", Rows, [N("Gemm", ["x", "w", "b"], "y", Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f))],
            [F("w", Tensor.Randn(5, 12)), F("b", Tensor.Randn(5))]),
        new("MatMul", Image, [N("MatMul", ["x", "w"], "y")], [F("w", Tensor.Randn(4, 5))]),
        Binary("Add"), Binary("Sub"), Binary("Mul"), Binary("Div"), Binary("Pow"), Binary("Max"), Binary("Min"),
        Unary("Neg"), Unary("Exp"), Unary("Log"), Unary("Sqrt"), Unary("Abs"), Unary("Sigmoid"), Unary("Tanh"), Unary("Relu"),
        new("LeakyRelu", Image, [N("Sub", ["x", "h"], "d"), N("LeakyRelu", ["d"], "y", Float("alpha", 0.2f))], [F("h", Tensor.Full([1], 1f))]),
        Unary("Reciprocal"),
        new("Sign", Image, [N("Sub", ["x", "h"], "d"), N("Sign", ["d"], "y")], [F("h", Tensor.Full([1], 1f))]),
        new("Clip", Image, [N("Clip", ["x", "lo", "hi"], "y")], [F("lo", Tensor.Scalar(0.7f)), F("hi", Tensor.Scalar(1.2f))]),
        Predicate("Equal"), Predicate("Greater"), Predicate("Less"), Predicate("GreaterOrEqual"), Predicate("LessOrEqual"),
        new("Not", Image, [N("Greater", ["x", "c"], "b"), N("Not", ["b"], "n"), N("Cast", ["n"], "y", Int("to", 1))], [F("c", Tensor.Full([4], 0.9f))]),
        new("Where", Image, [N("Greater", ["x", "c"], "b"), N("Where", ["b", "x", "c"], "y")], [F("c", Tensor.Full([4], 0.9f))]),
        new("Cast", Image, [N("Cast", ["x"], "i", Int("to", 7)), N("Cast", ["i"], "y", Int("to", 1))], []),
        new("ReduceSum", Image, [N("ReduceSum", ["x", "axes"], "y", Int("keepdims", 0))], [Int64s("axes", 1, 3)]),
        Unary("ReduceMean", Ints("axes", 2), Int("keepdims", 1)), Unary("ReduceMax", Ints("axes", 1, 2)), Unary("ReduceMin", Ints("axes", -1)),
        Unary("Softmax", Int("axis", 1)), Unary("LogSoftmax", Int("axis", -1)),
        new("Conv", Image, [N("Conv", ["x", "w", "b"], "y", Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 0, 0), Ints("strides", 2, 1))],
            [F("w", Tensor.Randn(5, 3, 3, 3)), F("b", Tensor.Randn(5))]),
        new("BatchNormalization", Image, [N("BatchNormalization", ["x", "s", "b", "m", "v"], "y", Float("epsilon", 1e-3f))],
            [F("s", Tensor.Rand(3) + 0.5f), F("b", Tensor.Randn(3)), F("m", Tensor.Randn(3) * 0.1f), F("v", Tensor.Rand(3) + 0.5f)]),
        Unary("MaxPool", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1)),
        Unary("AveragePool", Ints("kernel_shape", 2, 2), Ints("strides", 1, 1), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 0)),
        Unary("GlobalAveragePool"), Unary("GlobalMaxPool"),
        new("Concat", Image, [N("Concat", ["x", "x"], "y", Int("axis", 2))], []),
        Unary("Flatten", Int("axis", 2)),
        new("Reshape", Image, [N("Reshape", ["x", "s"], "y")], [Int64s("s", 0, -1, 8)]),
        Unary("Transpose", Ints("perm", 0, 2, 3, 1)),
        Unary("Dropout"), Unary("Identity"),
        new("Constant", Image, [N("Constant", [], "c", TensorValue("value", F("c", Tensor.Randn(4)))), N("Add", ["x", "c"], "y")], []),
        new("Shape", Image, [N("Shape", ["x"], "s"), N("Cast", ["s"], "y", Int("to", 1))], []),
        new("Gather", Image, [N("Gather", ["x", "i"], "y", Int("axis", 1))], [Int64s("i", 2, 0, 2)]),
        new("GatherElements", Rows, [N("GatherElements", ["x", "i"], "y", Int("axis", 1))],
            [F("i", Tensor.From(new long[] { 11, 0, 3, 4, 5, 6 }, [2, 3]))]),
        new("Unsqueeze", Image, [N("Unsqueeze", ["x", "a"], "y")], [Int64s("a", 0, 3)]),
        new("Squeeze", Image, [N("Unsqueeze", ["x", "a"], "u"), N("Squeeze", ["u", "a"], "y")], [Int64s("a", 1)]),
        new("Split", Image, [SplitNode()], [Int64s("s", 1, 3)]),
        new("Pad", Image, [N("Pad", ["x", "p", "v"], "y")], [Int64s("p", 0, 0, 1, 2, 0, 0, 0, 1), F("v", Tensor.Scalar(-1f))]),
        new("Slice", Image, [N("Slice", ["x", "b", "e", "a", "s"], "y")], [Int64s("b", 1, 0), Int64s("e", 4, -1), Int64s("a", 2, 3), Int64s("s", 2, 1)]),
        new("Expand", Image, [N("Unsqueeze", ["x", "a"], "u"), N("Expand", ["u", "s"], "y")], [Int64s("a", 1), Int64s("s", 1, 2, 1, 1, 1)]),
    ];

    private static byte[] Build(Case c)
    {
        var graph = new GraphProto { Name = c.Op };
        graph.Node.AddRange(c.Nodes);
        graph.Initializer.AddRange(c.Init);
        graph.Input.Add(ValueInfo("x", DType.Float32, c.Shape.Select(d => (int?)d).ToList()));
        graph.Output.Add(new ValueInfoProto { Name = c.Nodes[^1].Output[0] });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    public static TheoryData<string> Ops => new(Cases.Select(c => c.Op));

    [Theory]
    [MemberData(nameof(Ops))]
    public void ImportedOpMatchesOnnxRuntime(string op)
    {
        Case c = Cases.Single(c => c.Op == op);
        byte[] model = Build(c);
        Tensor x = Tensor.Rand(c.Shape, new Generator(17)) + 0.5f;
        OnnxModel imported = OnnxImport.Load(model, op);
        imported.Eval();
        Tensor ours;
        using (Tensor.NoGrad()) ours = imported.Forward(x);
        Ort.AssertClose(Ort.Run(model, x), ours.Float(), $"imported {op}");
    }

    [Fact]
    public void EveryImportedOpIsTested() =>
        Assert.Equal(OnnxImport.SupportedOps.Order(StringComparer.Ordinal), Cases.Select(c => c.Op).Order(StringComparer.Ordinal));
}
