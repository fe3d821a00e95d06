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

    [Fact]
    public void A_scoped_training_step_allocates_no_tensor_memory()
    {
        // The 784-30-1 MLP step of issue 2 on a 256 batch, one TensorScope per step: after warm-up every buffer comes
        // from the pool. What is left is per-op bookkeeping (tensor and graph objects, about 33 KB a step measured);
        // without the scope a step allocates about 360 KB (the activations and gradients themselves).
        var g = new Generator(1);
        Tensor x = Tensor.Rand([256, 784], g), y = Tensor.Rand([256, 1], g).Gt(0.5f).Float();
        var model = SharpGrad.NN.Nn.Sequential(SharpGrad.NN.Nn.Linear(784, 30, generator: g), SharpGrad.NN.Nn.ReLU(), SharpGrad.NN.Nn.Linear(30, 1, generator: g));
        var opt = new SharpGrad.Optim.Sgd(model.Parameters(), 0.1);
        void Step()
        {
            using var scope = new TensorScope();
            Tensor p = model.Forward(x).Sigmoid();
            Tensor.Where(y.Eq(1f), p.RSub(1f), p).Mean().Backward();
            opt.Step();
            opt.ZeroGrad(setToNone: false);
        }
        for (int i = 0; i < 20; i++) Step();
        const int steps = 50;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
        Assert.True(perStep < 64 * 1024, $"a scoped MLP step allocated {perStep:N0} bytes; its tensors should come from the pool");
    }
}
