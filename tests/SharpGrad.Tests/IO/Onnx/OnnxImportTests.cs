using SharpGrad.Kernels;
using System.IO.Compression;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.IO.Onnx;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>
/// Importing ONNX models: SharpGrad's own exports come back bitwise; PyTorch's exports (<c>tests/reference/generate_onnx.py</c>)
/// give PyTorch's outputs and train with a Learner as PyTorch trains them.
/// </summary>
public class OnnxImportTests
{
    private static string Reference(string name) => Path.Combine(AppContext.BaseDirectory, "reference", "onnx", name);

    private static void AssertBitwise(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        float[] e = expected.Contiguous().ToArray<float>(), a = actual.Contiguous().ToArray<float>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(e[i] == a[i] || (float.IsNaN(e[i]) && float.IsNaN(a[i])), $"{what}: element {i} is {a[i]} after import, {e[i]} before.");
    }

    public static TheoryData<string> ZooNames => new(OnnxOpZoo.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void ExportThenImportIsBitwise(string name)
    {
        OnnxOpZoo.Case c = OnnxOpZoo.Cases.Single(c => c.Name == name);
        Module model = c.Model();
        var g = new Generator(21);
        OnnxModel imported = OnnxImport.Load(OnnxExport.ToBytes(model, Tensor.Randn([2, .. c.ItemShape], g), dynamicBatch: !c.StaticBatch));
        model.Eval();
        imported.Eval();
        Tensor x = Tensor.Randn([c.StaticBatch ? 2 : 3, .. c.ItemShape], g);
        using (Tensor.NoGrad()) AssertBitwise(model.Forward(x), imported.Forward(x), name);
    }

    [Fact]
    public void ImportedConvBatchNormChainsRunFusedInEvalWithTheModulesFloats()
    {
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 10, generator: new Generator(1));
        var g = new Generator(4);
        foreach (var (name, t) in model.NamedBuffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) t.CopyFrom(Tensor.Randn([t.Size(0)], g) * 0.2f);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) t.CopyFrom(Tensor.Rand([t.Size(0)], g) + 0.5f);
        }
        OnnxModel imported = OnnxImport.Load(OnnxExport.ToBytes(model, Tensor.Randn(2, 3, 64, 64)));
        model.Eval();
        imported.Eval();
        Tensor x = Tensor.Randn([2, 3, 64, 64], new Generator(5));
        using (Tensor.NoGrad()) AssertBitwise(model.Forward(x), imported.Forward(x), "resnet18 at 64x64");
        // every conv takes the channels-last path: the stem's conv/BN/ReLU, per block conv/BN/ReLU and conv/BN/Add/ReLU,
        // and layer2-4's downsample conv/BN
        bool channelsLast = Conv.SupportsChannelsLast(new Conv2dGeometry(2, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        Assert.Equal(channelsLast ? 3 + 2 * (3 + 4) + 3 * ((3 + 2 + 4) + (3 + 4)) : 0, imported.FusedNodes);
        // in training mode nothing is fused (batch statistics, and autograd sees every node)
        imported.Train();
        imported.Forward(x);
        Assert.Equal(0, imported.FusedNodes);
    }

    [Fact]
    public void AConvOutputReadTwiceIsNotFused()
    {
        var module = new ConvReadTwice();
        module.Eval();
        OnnxModel imported = OnnxImport.Load(OnnxExport.ToBytes(module, Tensor.Randn(2, 16, 20, 20)));
        imported.Eval();
        Tensor x = Tensor.Randn([2, 16, 20, 20], new Generator(6));
        using (Tensor.NoGrad()) AssertBitwise(module.Forward(x), imported.Forward(x), "conv read by the norm and the sum");
        Assert.Equal(0, imported.FusedNodes);
    }

    private sealed class ConvReadTwice : Module
    {
        private readonly Conv2d _conv;
        private readonly BatchNorm2d _bn;

        public ConvReadTwice()
        {
            _conv = RegisterModule("conv", new Conv2d(16, 16, 3, padding: 1, generator: new Generator(12)));
            _bn = RegisterModule("bn", new BatchNorm2d(16));
            _bn.RunningVar!.CopyFrom(Tensor.Rand([16], new Generator(13)) + 0.5f);
        }

        public override Tensor Forward(Tensor input)
        {
            Tensor y = _conv.Forward(input);
            return _bn.Forward(y) + y;
        }
    }

    [Fact]
    public void Resnet18ExportThenImportIsBitwiseAndKeepsStateNames()
    {
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 10, generator: new Generator(1));
        OnnxModel imported = OnnxImport.Load(OnnxExport.ToBytes(model, Tensor.Randn(2, 3, 32, 32)));
        model.Eval();
        imported.Eval();
        Tensor x = Tensor.Randn([2, 3, 32, 32], new Generator(3));
        using (Tensor.NoGrad()) AssertBitwise(model.Forward(x), imported.Forward(x), "resnet18");
        var expectedNames = model.StateDict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expectedNames, imported.StateDict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(model.NamedBuffers().Count(b => !b.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal)), imported.NamedBuffers().Count());
    }

    [Fact]
    public void PytorchMlpGivesPytorchOutputsAndTrainsLikeIt()
    {
        OnnxModel model = OnnxImport.Load(Reference("mlp.onnx"));
        Dictionary<string, Tensor> golden = SafeTensors.Load(Reference("mlp_step.safetensors"));
        Tensor x = golden["input"], y = golden["target"];
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], model.NamedParameters().Select(p => p.Name));
        model.Eval();
        using (Tensor.NoGrad()) Ort.AssertClose(golden["output"], model.Forward(x), "PyTorch's MLP");

        // One SGD step through a Learner: one batch of the four items, lr 0.1, cross-entropy.
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 4), new DataLoader(new TensorDataset(x, y), 4), [.. Enumerable.Range(0, 10).Select(i => i.ToString())]);
        var learn = Learner.Create(dls, model, opt: Optimizers.Sgd, loss: F.CrossEntropy, lr: 0.1);
        learn.Fit(1, lr: 0.1);
        Assert.True(Math.Abs(golden["loss"].Item() - learn.Recorder.Losses[0]) < 1e-4, $"loss {learn.Recorder.Losses[0]}, PyTorch's {golden["loss"].Item()}");
        foreach ((string name, Tensor p) in model.NamedParameters())
            Ort.AssertClose(golden["after." + name], p, $"{name} after one step");
    }

    [Fact]
    public void PytorchCnnGivesPytorchOutputs()
    {
        OnnxModel model = OnnxImport.Load(Reference("small_cnn.onnx"));
        Dictionary<string, Tensor> golden = SafeTensors.Load(Reference("small_cnn_io.safetensors"));
        model.Eval();
        using (Tensor.NoGrad()) Ort.AssertClose(golden["output"], model.Forward(golden["input"]), "PyTorch's small CNN");
    }

    [Fact]
    public void TorchvisionResnet18GivesPytorchOutputs()
    {
        string dir = Directory.CreateTempSubdirectory("sharpgrad-onnx-").FullName;
        try
        {
            string path = Path.Combine(dir, "resnet18.onnx");
            using (var gz = new GZipStream(File.OpenRead(Reference("resnet18.onnx.gz")), CompressionMode.Decompress))
            using (var file = File.Create(path))
                gz.CopyTo(file);
            OnnxModel model = OnnxImport.Load(path);
            Dictionary<string, Tensor> golden = SafeTensors.Load(Reference("resnet18_io.safetensors"));
            model.Eval();
            Tensor output;
            using (Tensor.NoGrad()) output = model.Forward(golden["input"]);
            // Outputs reach 1,300: compare relative to their scale.
            Tensor expected = golden["output"];
            float scale = expected.Abs().Max().Item();
            float worst = (output - expected).Abs().Max().Item();
            Assert.True(worst <= 1e-4f * scale, $"resnet18: max difference {worst} for outputs up to {scale}");
            Assert.Contains("layer4.1.bn2.running_var", model.StateDict().Keys);
            Assert.Contains("fc.weight", model.NamedParameters().Select(p => p.Name));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ImportedModelExportsAgain()
    {
        OnnxModel model = OnnxImport.Load(Reference("small_cnn.onnx"));
        model.Eval();
        Tensor x = Tensor.Rand(2, 1, 28, 28);
        byte[] again = OnnxExport.ToBytes(model, x);
        Tensor expected;
        using (Tensor.NoGrad()) expected = model.Forward(x);
        Ort.AssertClose(expected, Ort.Run(again, x), "re-exported import");
    }

    [Fact]
    public void WrongInputShapeIsNamed()
    {
        OnnxModel model = OnnxImport.Load(Reference("small_cnn.onnx"));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Rand(2, 3, 28, 28)));
        Assert.Contains("[?, 1, 28, 28]", e.Message);
        Assert.Contains("[2, 3, 28, 28]", e.Message);
    }
}

/// <summary><c>learn.ExportOnnx</c>: the model and what a consumer needs to feed it, round-tripped through <c>OnnxImport.LoadLearner</c>.</summary>
public class OnnxLearnerExportTests
{
    [Fact]
    public void VocabAndNormalizationTravelWithTheModel()
    {
        var g = new Generator(15);
        Tensor x = Tensor.Rand([20, 3, 4, 4], g), y = Tensor.Randint(0, 3, [20], g);
        var norm = Normalize.FromStats([0.2f, 0.4f, 0.6f], [0.5f, 1f, 2f]);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 10, batchTfms: [norm]), new DataLoader(new TensorDataset(x, y), 10, batchTfms: [norm]),
            ["cat", "dog", "<bird>"]);
        var learn = Learner.Create(dls, Nn.Sequential(Nn.Flatten(), Nn.Linear(48, 3, generator: new Generator(16))), loss: F.CrossEntropy);
        learn.Output = null;
        learn.Fit(1, lr: 0.01);
        string dir = Directory.CreateTempSubdirectory("sharpgrad-onnx-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            learn.ExportOnnx(path);
            OnnxModel raw = OnnxImport.Load(path);
            Assert.Equal("[\"cat\",\"dog\",\"\\u003Cbird\\u003E\"]", raw.Metadata[OnnxLearnerExport.VocabKey]);
            Assert.Contains("(x - mean) / std", raw.Metadata[OnnxLearnerExport.InputDescriptionKey]);
            ExportedModel exported = OnnxImport.LoadLearner(path);
            Assert.Equal(["cat", "dog", "<bird>"], exported.Vocab);
            // The exported model takes raw inputs: the stored normalisation runs before the graph.
            Tensor sample = x.Narrow(0, 0, 4).Contiguous();
            learn.Model.Eval();
            Tensor expected, actual;
            using (Tensor.NoGrad())
            {
                expected = learn.Model.Forward(norm.Apply(sample, training: false, new Generator(0)));
                actual = exported.Model.Forward(sample);
            }
            Ort.AssertClose(expected, actual, "normalised by the metadata");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
