using Google.Protobuf;
using SharpGrad.IO.Onnx;
using SharpGrad.IO.Onnx.Proto;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>Exports traced by SharpGrad and run by ONNX Runtime give SharpGrad's outputs.</summary>
public class OnnxExportTests
{
    public static TheoryData<string> ZooNames => new(OnnxOpZoo.Cases.Select(c => c.Name));

    /// <summary>Exports <paramref name="model"/> traced at batch 2 and checks ONNX Runtime at batches 2 and 3 (the batch is dynamic).</summary>
    private static byte[] ExportAndCheck(Module model, int[] itemShape, string what, int opset = 17, bool staticBatch = false)
    {
        var g = new Generator(11);
        Tensor sample = Tensor.Randn([2, .. itemShape], g);
        byte[] onnx = OnnxExport.ToBytes(model, sample, opset, dynamicBatch: !staticBatch);
        // SHARPGRAD_ONNX_DUMP=folder keeps every export for tests/reference/check_onnx_export.py (onnx.checker).
        if (Environment.GetEnvironmentVariable("SHARPGRAD_ONNX_DUMP") is { Length: > 0 } dump)
            File.WriteAllBytes(Path.Combine(dump, $"{string.Concat(what.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_'))}.opset{opset}.onnx"), onnx);
        model.Eval();
        foreach (int batch in staticBatch ? [2] : new[] { 2, 3 })
        {
            Tensor x = Tensor.Randn([batch, .. itemShape], g);
            Tensor expected;
            using (Tensor.NoGrad()) expected = model.Forward(x);
            Ort.AssertClose(expected, Ort.Run(onnx, x), $"{what}, batch {batch}");
            // The declared output shape holds at every batch size (ONNX Runtime only warns when it does not).
            var dims = ModelProto.Parser.ParseFrom(onnx).Graph.Output[0].Type.TensorType.Shape.Dim;
            Assert.Equal(expected.NDim, dims.Count);
            for (int d = 0; d < dims.Count; d++)
                if (dims[d].DimParam.Length == 0) Assert.True(dims[d].DimValue == expected.Size(d), $"{what}: output dim {d} declared {dims[d].DimValue}, is {expected.Size(d)} at batch {batch}");
        }
        return onnx;
    }

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void EachOpMatchesOnnxRuntime(string name)
    {
        OnnxOpZoo.Case c = OnnxOpZoo.Cases.Single(c => c.Name == name);
        ExportAndCheck(c.Model(), c.ItemShape, name, staticBatch: c.StaticBatch);
    }

    [Fact]
    public void EveryOpIsExportedOrRefused()
    {
        var covered = OnnxOpZoo.Cases.SelectMany(c => c.Covers).ToHashSet();
        foreach (OpKind op in Enum.GetValues<OpKind>())
        {
            bool refused = OnnxOps.Unsupported.ContainsKey(op);
            Assert.True(covered.Contains(op) ^ refused,
                refused ? $"{op} is refused by the exporter but also covered by a zoo case." : $"{op} is neither covered by an ONNX zoo case nor refused by OnnxOps.Unsupported: decide its mapping.");
        }
    }

    [Fact]
    public void ZooCasesUseTheOpsTheyClaim()
    {
        // A case that claims an op must really make the exporter see it, or the closed-list test above proves nothing.
        foreach (OnnxOpZoo.Case c in OnnxOpZoo.Cases)
        {
            Tensor x = Tensor.Randn([2, .. c.ItemShape]);
            var tracer = new OnnxTracer(x);
            Module m = c.Model();
            m.Eval();
            using (Tensor.NoGrad())
            using (OpTrace.Begin(tracer))
            {
                Tensor output = m.Forward(x);
                var seen = tracer.OpsFor(output).Select(o => o.Op).ToHashSet();
                foreach (OpKind op in c.Covers) Assert.True(seen.Contains(op), $"zoo case {c.Name} claims {op} but its output does not depend on one.");
            }
        }
    }

    [Fact]
    public void ChapterFourModelsMatch()
    {
        ExportAndCheck(Nn.Sequential(Nn.Linear(784, 30), Nn.ReLU(), Nn.Linear(30, 1)), [784], "784-30-1");
        byte[] classifier = ExportAndCheck(Nn.Sequential(Nn.Linear(784, 30), Nn.ReLU(), Nn.Linear(30, 10)), [784], "784-30-10");
        ModelProto proto = ModelProto.Parser.ParseFrom(classifier);
        Assert.Equal(["Gemm", "Relu", "Gemm"], proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], proto.Graph.Initializer.Select(i => i.Name));
        Assert.Equal("input", proto.Graph.Input.Single().Name);
        Assert.Equal("output", proto.Graph.Output.Single().Name);
        Assert.Equal("batch", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(784, proto.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("batch", proto.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(10, proto.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(17, proto.OpsetImport.Single().Version);
    }

    [Fact]
    public void SmallCnnMatches()
    {
        var cnn = Nn.Sequential(
            Nn.Conv2d(1, 8, 3, stride: 2, padding: 1), Nn.BatchNorm2d(8), Nn.ReLU(), Nn.MaxPool2d(2),
            Nn.Conv2d(8, 16, 3, padding: 1), Nn.ReLU(), Nn.AvgPool2d(2), Nn.Dropout(0.3f),
            Nn.Flatten(), Nn.Linear(16 * 3 * 3, 10), new Lambda(x => x.LogSoftmax(1)));
        ExportAndCheck(cnn, [1, 28, 28], "small CNN");
    }

    [Fact]
    public void Resnet18WithFastaiHeadMatchesAt64And224()
    {
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 10, generator: new Generator(1));
        byte[] onnx = ExportAndCheck(model, [3, 64, 64], "resnet18 64x64");
        ModelProto proto = ModelProto.Parser.ParseFrom(onnx);
        var ops = proto.Graph.Node.Where(n => n.OpType != "Constant").GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, ops["Conv"]);
        Assert.Equal(20 + 2, ops["BatchNormalization"]);
        Assert.Equal(8, ops["Add"]);
        Assert.Equal(2, ops["Gemm"]);
        Assert.Equal(model.StateDict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)), proto.Graph.Initializer.Select(i => i.Name));

        // 224x224: traced on one image, run on two (the exported graph's batch is dynamic).
        byte[] big = OnnxExport.ToBytes(model, Tensor.Randn([1, 3, 224, 224], new Generator(4)));
        Tensor x = Tensor.Randn([2, 3, 224, 224], new Generator(5));
        Tensor expected;
        using (Tensor.NoGrad()) expected = model.Forward(x);
        Ort.AssertClose(expected, Ort.Run(big, x), "resnet18 224x224");
    }

    /// <summary>A user's own module: a residual add around two layers, a gate, and a softmax.</summary>
    private sealed class GatedResidual : Module
    {
        private readonly Linear _a, _b;

        public GatedResidual()
        {
            _a = RegisterModule("a", Nn.Linear(12, 12));
            _b = RegisterModule("b", Nn.Linear(12, 12));
            Scale = RegisterParameter("scale", Tensor.Full([12], 0.7f));
        }

        public Tensor Scale { get; }

        public override Tensor Forward(Tensor input)
        {
            Tensor h = _b.Forward(_a.Forward(input).Relu());
            Tensor gate = h.Sigmoid();
            return (input + h * gate * Scale).Softmax(-1);
        }
    }

    [Fact]
    public void UserModuleWithResidualMatches()
    {
        byte[] onnx = ExportAndCheck(new GatedResidual(), [12], "user module");
        Assert.Contains("scale", ModelProto.Parser.ParseFrom(onnx).Graph.Initializer.Select(i => i.Name));
    }

    private sealed class Picker : Module
    {
        public override Tensor Forward(Tensor input) => input[input > 0f]; // a boolean mask: a data-dependent shape
    }

    [Fact]
    public void OpWithoutMappingNamesTheOpAndTheModule()
    {
        var model = Nn.Sequential(Nn.Linear(4, 4), new Picker());
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, Tensor.Randn(2, 4)));
        Assert.Contains("MaskPositions", e.Message);
        Assert.Contains("Picker.Forward", e.Message);
        Assert.Contains("'1'", e.Message);
    }

    private sealed class Leaky : Module
    {
        public override Tensor Forward(Tensor input) => input.Relu() + input.Relu().Detach();
    }

    [Fact]
    public void ValueRebuiltFromTheInputIsRefusedNotFrozen()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Leaky(), Tensor.Randn(2, 3)));
        Assert.Contains("frozen", e.Message);
    }

    [Fact]
    public void ExportRestoresTrainingModeAndWritesAtomically()
    {
        var model = Nn.Sequential(Nn.Linear(3, 2), Nn.Dropout(0.5f));
        string dir = Directory.CreateTempSubdirectory("sharpgrad-onnx-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            OnnxExport.Save(model, Tensor.Randn(2, 3), path, metadata: new Dictionary<string, string> { ["k"] = "v" });
            Assert.True(model.IsTraining);
            ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal("v", proto.MetadataProps.Single(p => p.Key == "k").Value);
            Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "Dropout");
            Assert.Equal([path], Directory.GetFiles(dir));
            var bad = Assert.Throws<NotSupportedException>(() => OnnxExport.Save(Nn.Sequential(new Picker()), Tensor.Randn(2, 3), Path.Combine(dir, "bad.onnx")));
            Assert.Equal([path], Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData(13)]
    [InlineData(18)]
    [InlineData(21)]
    public void OtherOpsetsRunInOnnxRuntime(int opset)
    {
        OnnxOpZoo.Case c = OnnxOpZoo.Cases.Single(c => c.Name == "reductions");
        ExportAndCheck(c.Model(), c.ItemShape, $"reductions at opset {opset}", opset);
        ExportAndCheck(CnnLearner.CreateHead(8, 3, hidden: 6), [4, 3, 3], $"head at opset {opset}", opset);
    }
}
