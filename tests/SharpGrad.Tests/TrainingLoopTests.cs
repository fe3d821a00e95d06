using SharpGrad.Cli;

namespace SharpGrad.Tests;

/// <summary>End-to-end loops built from the engine: the README's demo and a small MLP trained by hand.</summary>
public class TrainingLoopTests
{
    [Fact]
    public void The_demo_fits_the_noisy_quadratic()
    {
        var output = new StringWriter();
        var (first, last, p) = DemoCommand.Run(seed: 42, fastSteps: 400, output);
        Assert.True(last < first / 5, $"RMSE went from {first} to {last}");
        Assert.True(last < 4.5f, $"final RMSE {last} is far above the noise level (3)");
        float[] abc = p.ToArray<float>();
        Assert.InRange(abc[0], 0.6f, 0.9f);    // a = 0.75
        Assert.InRange(abc[1], -17f, -11f);    // b = -14.25
        Assert.Contains("step 10:", output.ToString());
    }

    /// <summary>Trains a 784-30-1 MLP on random data for a few steps by hand; returns the final weights.</summary>
    internal static float[] TrainMlp(ulong seed, int steps)
    {
        var g = new Generator(seed);
        Tensor x = Tensor.Rand([256, 784], g), y = Tensor.Rand([256, 1], g).Gt(0.5f).Float();
        Tensor w1 = (Tensor.Randn([784, 30], g) * 0.05f).RequiresGrad(), b1 = Tensor.Zeros(30).RequiresGrad();
        Tensor w2 = (Tensor.Randn([30, 1], g) * 0.1f).RequiresGrad(), b2 = Tensor.Zeros(1).RequiresGrad();
        Tensor[] ps = [w1, b1, w2, b2];
        for (int i = 0; i < steps; i++)
        {
            Tensor preds = (x.MatMul(w1) + b1).Relu().MatMul(w2).Add(b2).Sigmoid();
            Tensor loss = Tensor.Where(y.Eq(1f), 1f - preds, preds).Mean();
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (Tensor p in ps)
                {
                    p.SubInPlace(p.Grad!, 0.1f);
                    p.Grad = null;
                }
        }
        return [.. w1.ToArray<float>(), .. b1.ToArray<float>(), .. w2.ToArray<float>(), .. b2.ToArray<float>()];
    }

    [Fact]
    public void Same_seed_and_threads_give_bitwise_identical_training()
    {
        float[] a = TrainMlp(7, 5), b = TrainMlp(7, 5);
        Assert.Equal(a, b);
        Assert.NotEqual(a, TrainMlp(8, 5));
    }
}
