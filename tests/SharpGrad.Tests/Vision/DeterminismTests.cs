using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Tests.Vision;

/// <summary>The same seed and thread count give bitwise-identical CNN training (conv, batch norm and pooling split work over both cores).</summary>
public class DeterminismTests
{
    private static float[] Train(ulong seed)
    {
        var g = new Generator(seed);
        Tensor x = Tensor.Rand([64, 3, 28, 28], g), y = Tensor.Randint(0, 4, [64], g); // large enough that kernels split over both cores
        var model = Nn.Sequential(
            new Conv2d(3, 16, 3, padding: 1, generator: g), new BatchNorm2d(16), Nn.ReLU(), new MaxPool2d(2),
            new Conv2d(16, 8, 3, stride: 2, padding: 1, bias: false, generator: g), new BatchNorm2d(8), Nn.ReLU(),
            new AdaptiveConcatPool2d(), Nn.Flatten(), Nn.Linear(16, 4, generator: g));
        var opt = new Adam(model.Parameters(), 1e-2);
        for (int step = 0; step < 3; step++)
        {
            F.CrossEntropy(model.Forward(x), y).Backward();
            opt.Step();
            opt.ZeroGrad();
        }
        return model.Parameters().SelectMany(p => p.ToArray<float>())
            .Concat(model.NamedBuffers().Where(b => b.Buffer.DType == DType.Float32).SelectMany(b => b.Buffer.ToArray<float>())).ToArray();
    }

    [Fact]
    public void Two_runs_with_one_seed_are_bitwise_identical()
    {
        float[] a = Train(7), b = Train(7);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"element {i}: {a[i]:R} vs {b[i]:R}");
        Assert.NotEqual(a, Train(8));
    }
}
