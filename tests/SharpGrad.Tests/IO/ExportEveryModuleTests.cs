using System.Globalization;
using SharpGrad.Data.Images;
using SharpGrad.IO;
using SharpGrad.NN;
using SharpGrad.Tests.Cli;
using SharpGrad.Tests.Data;
using SharpGrad.Vision;

namespace SharpGrad.Tests.IO;

/// <summary>
/// Every public module type SharpGrad ships either round-trips through Export → LoadLearner (in this process and in a
/// fresh `sharpgrad predict --raw` process, outputs bitwise equal) or is refused with a message naming it. A module
/// type added without export support fails <see cref="Every_public_module_type_is_covered"/>.
/// </summary>
public class ExportEveryModuleTests
{
    private const int C = 3, H = 12, W = 12;

    /// <summary>A small model holding each exportable type, fed by a C×H×W image.</summary>
    private static readonly Dictionary<Type, Func<Module>> Samples = new()
    {
        [typeof(Sequential)] = () => new Sequential(new Flatten(), new Linear(C * H * W, 4)),
        [typeof(Linear)] = () => new Sequential(new Flatten(), new Linear(C * H * W, 5, bias: false)),
        [typeof(ReLU)] = () => new Sequential(new Conv2d(C, 4, 3), new ReLU()),
        [typeof(Sigmoid)] = () => new Sequential(new Conv2d(C, 4, 3), new Sigmoid()),
        [typeof(Flatten)] = () => new Sequential(new Flatten(2, 3)),
        [typeof(Dropout)] = () => new Sequential(new Flatten(), new Dropout(0.3f), new Linear(C * H * W, 3)),
        [typeof(Conv2d)] = () => new Sequential(new Conv2d(C, 6, (3, 2), (2, 1), (1, 0), (1, 2), groups: 3, bias: true)),
        [typeof(BatchNorm1d)] = () => new Sequential(new Flatten(), new Linear(C * H * W, 7), new BatchNorm1d(7)),
        [typeof(BatchNorm2d)] = () => new Sequential(new BatchNorm2d(C)),
        [typeof(MaxPool2d)] = () => new Sequential(new MaxPool2d((3, 2), (2, 2), (1, 0))),
        [typeof(AvgPool2d)] = () => new Sequential(new AvgPool2d(3, 2, 1, countIncludePad: false)),
        [typeof(AdaptiveAvgPool2d)] = () => new Sequential(new AdaptiveAvgPool2d((5, 3))),
        [typeof(AdaptiveMaxPool2d)] = () => new Sequential(new AdaptiveMaxPool2d(2)),
        [typeof(AdaptiveConcatPool2d)] = () => new Sequential(new AdaptiveConcatPool2d(2)),
        [typeof(BasicBlock)] = () => new Sequential(new BasicBlock(C, 8, stride: 2)),
        [typeof(ResNet)] = () => new ResNet([1, 1, 1, 2], numClasses: 6, inChannels: C, normalization: new Normalization([0.1f, 0.5f, 0.9f], [1f, 2f, 0.5f])),
        [typeof(Normalization)] = () => new Sequential(new Normalization([0.2f, 0.4f, 0.6f], [0.5f, 1.5f, 2.5f])),
    };

    /// <summary>Types that cannot be rebuilt from a file, and why.</summary>
    private static readonly Dictionary<Type, Func<Module>> Refused = new()
    {
        [typeof(Lambda)] = () => new Sequential(new Flatten(), new Lambda(x => x * 2f)), // holds arbitrary code
        [typeof(SharpGrad.IO.Onnx.OnnxModel)] = () => SharpGrad.IO.Onnx.OnnxImport.Load( // an ONNX graph: exported back to ONNX instead
            SharpGrad.IO.Onnx.OnnxExport.ToBytes(new Sequential(new Flatten(), new Linear(C * H * W, 2)), Tensor.Rand(2, C, H, W))),
    };

    public static TheoryData<string> ExportableTypes() => [.. Samples.Keys.Select(t => t.Name)];

    [Fact]
    public void Every_public_module_type_is_covered()
    {
        var shipped = typeof(Module).Assembly.GetExportedTypes()
            .Where(t => t.IsSubclassOf(typeof(Module)) && !t.IsAbstract).Select(t => t.Name).Order().ToList();
        var covered = Samples.Keys.Concat(Refused.Keys).Select(t => t.Name).Order().ToList();
        Assert.Equal(shipped, covered);
        // ModuleSpec's own list of type names matches what it can describe.
        Assert.Equal(Samples.Keys.Select(t => t.Name).Order(), ModuleSpec.Types.Order());
    }

    [Fact]
    public void A_module_that_cannot_be_exported_is_named()
    {
        foreach ((Type type, Func<Module> make) in Refused)
        {
            var e = Assert.Throws<NotSupportedException>(() => ModuleSpec.CheckExportable(make()));
            Assert.Contains(type.Name, e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(ExportableTypes))]
    public void Export_then_LoadLearner_gives_the_same_outputs_here_and_in_a_fresh_process(string typeName)
    {
        Module model = Samples.Single(kv => kv.Key.Name == typeName).Value();
        var gen = new Generator(7);
        // Move batch-norm statistics away from 0/1 so the buffers' round trip is tested too.
        using (Tensor.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Rand([4, C, H, W], gen) * 3f + 1f);
        model.Eval();

        using var dir = new TempDir();
        string file = Path.Combine(dir, typeName + ".sgl"), image = Path.Combine(dir, "x.png");
        var pixels = new byte[H * W * C];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 37 + 11) % 256);
        File.WriteAllBytes(image, PngEncoder.Encode(new Image(W, H, C, pixels)));
        var input = new ImageInput(C, H, W);
        LearnerFiles.ExportModel(model, file, [], input);

        float[] expected;
        using (Tensor.NoGrad()) expected = model.Forward(input.Load(image).Unsqueeze(0)).Contiguous().ToArray<float>();
        ExportedModel loaded = LearnerFiles.LoadLearner(file);
        float[] here;
        using (Tensor.NoGrad()) here = loaded.Model.Forward(loaded.Input!.Load(image).Unsqueeze(0)).Contiguous().ToArray<float>();
        Assert.Equal(expected, here);

        var (code, output, err) = CliProcess.Run("predict", file, image, "--raw");
        Assert.True(code == 0, err);
        float[] fresh = output.Trim()[(image.Length + 2)..].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, fresh);
    }
}
