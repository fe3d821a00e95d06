using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Tests.Cuda;

/// <summary>
/// A training step on a device captured once by <see cref="CapturedGraph"/> and replayed, as CUDA graphs replay a
/// step's launches: the replays give bitwise the eager device steps (new batches, a changing learning rate), and the
/// CPU's numbers within 1e-5 absolute / 1e-4 relative.
/// </summary>
[Trait("Category", "Device")]
public sealed class DeviceCaptureTests
{
    private static Device Cuda => TestDevices.Cuda;

    /// <summary>A classifier, its optimizer, and the input and label tensors each step reads (built identically for one seed).</summary>
    private sealed class Run
    {
        public readonly Tensor X, Y;
        public readonly Module Model;
        public readonly Optimizer Opt;
        public Tensor? Loss;

        public Run(Device device, Func<Generator, Module> build, int[] inputShape, Func<IEnumerable<Tensor>, Optimizer> optimizer)
        {
            Model = build(new Generator(7));
            Model.To(device);
            Opt = optimizer(Model.Parameters());
            X = Tensor.Zeros(inputShape).To(device);
            Y = Tensor.Zeros([inputShape[0]], DType.Int64);
        }

        /// <summary>Forward, cross-entropy, backward, update, gradients zeroed in place: the same work every time.</summary>
        public void Step()
        {
            Loss = F.CrossEntropy(Model.Forward(X), Y);
            Loss.Backward();
            Opt.Step();
            Opt.ZeroGrad(setToNone: false);
        }

        public void Feed(Tensor x, Tensor y)
        {
            X.CopyFrom(x);
            Y.CopyFrom(y);
        }

        public Tensor[] Weights() => [.. Model.Parameters().Select(p => p.Detach().To(Device.Cpu))];
    }

    /// <summary>
    /// Six batches with their labels and the learning rate of each step (a schedule the replays must follow): five
    /// different batches, then the first again. Each label is the largest of the first features, so there is
    /// something to learn.
    /// </summary>
    private static (Tensor X, Tensor Y, double Lr)[] Batches(int[] inputShape, int classes)
    {
        var g = new Generator(8);
        var batches = Enumerable.Range(0, 5).Select(i =>
        {
            Tensor x = Tensor.Randn(inputShape, g);
            float[] v = x.ToArray<float>();
            int n = inputShape[0], per = v.Length / n;
            long[] y = [.. Enumerable.Range(0, n).Select(r => (long)Enumerable.Range(0, classes).MaxBy(c => v[r * per + c]))];
            return (x, Tensor.From(y), 0.05 / (1 + 0.3 * i));
        }).ToList();
        batches.Add(batches[0] with { Item3 = 0.01 });
        return [.. batches];
    }

    /// <summary>Trains on the batches eagerly on <paramref name="device"/>, or captures the first step there and replays the rest.</summary>
    private static (float[] Losses, Tensor[] Weights, int Launches) Train(Device device, bool capture, Func<Generator, Module> build, int[] inputShape, int classes,
        Func<IEnumerable<Tensor>, Optimizer> optimizer)
    {
        var run = new Run(device, build, inputShape, optimizer);
        var losses = new List<float>();
        CapturedGraph? graph = null;
        try
        {
            foreach ((Tensor x, Tensor y, double lr) in Batches(inputShape, classes))
            {
                run.Feed(x, y);
                run.Opt.Lr = lr;
                if (!capture) run.Step();
                else if (graph is null) graph = CapturedGraph.Capture(run.Step);
                else graph.Replay();
                losses.Add(run.Loss!.Item());
            }
            return ([.. losses], run.Weights(), graph?.LaunchCount ?? 0);
        }
        finally
        {
            graph?.Dispose();
        }
    }

    private static void Close(Tensor[] expected, Tensor[] actual, string what)
    {
        for (int p = 0; p < expected.Length; p++)
        {
            float[] e = expected[p].ToArray<float>(), a = actual[p].ToArray<float>();
            for (int i = 0; i < e.Length; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f + 1e-4f * Math.Abs(e[i]), $"{what}: parameter {p} element {i} is {a[i]}, expected {e[i]}");
        }
    }

    private static void Check(Func<Generator, Module> build, int[] inputShape, int classes, Func<IEnumerable<Tensor>, Optimizer> optimizer)
    {
        var eager = Train(Cuda, capture: false, build, inputShape, classes, optimizer);
        var replayed = Train(Cuda, capture: true, build, inputShape, classes, optimizer);
        var cpu = Train(Device.Cpu, capture: false, build, inputShape, classes, optimizer);

        Assert.Equal(eager.Losses, replayed.Losses); // bitwise: the replay launches the eager step's kernels on the same memory
        for (int p = 0; p < eager.Weights.Length; p++) Assert.Equal(eager.Weights[p].ToArray<float>(), replayed.Weights[p].ToArray<float>());
        Assert.True(replayed.Launches > 10, $"{replayed.Launches} launches recorded");
        for (int i = 0; i < cpu.Losses.Length; i++)
            Assert.True(Math.Abs(cpu.Losses[i] - replayed.Losses[i]) <= 1e-4f * Math.Max(1f, Math.Abs(cpu.Losses[i])), $"step {i}: loss {replayed.Losses[i]} replayed, {cpu.Losses[i]} on the CPU");
        Close(cpu.Weights, replayed.Weights, "after the replays");
        Assert.True(cpu.Losses[^1] < cpu.Losses[0], $"the loss on the first batch should fall when it comes again: {string.Join(", ", cpu.Losses)}");
    }

    [Fact]
    public void A_captured_mlp_step_replays_on_the_device_as_the_eager_steps_with_new_batches_and_learning_rates() =>
        Check(g => Nn.Sequential(Nn.Linear(20, 16, generator: g), Nn.ReLU(), Nn.Linear(16, 4, generator: g)), [32, 20], 4,
              ps => new Adam(ps, 0.05));

    [Fact]
    public void A_captured_cnn_step_replays_on_the_device_as_the_eager_steps() =>
        // Convolution and pooling have no capture support on the CPU; on a device every launch is recorded, so they replay.
        Check(g => Nn.Sequential(Nn.Conv2d(1, 4, 3, padding: 1, generator: g), Nn.ReLU(), Nn.MaxPool2d(2), Nn.Flatten(), Nn.Linear(64, 3, generator: g)),
              [8, 1, 8, 8], 3, ps => new Sgd(ps, 0.05, mom: 0.9));

    [Fact]
    public void Disposing_a_device_capture_releases_its_tensors_and_unsupported_ops_still_refuse()
    {
        var run = new Run(Cuda, g => Nn.Sequential(Nn.Linear(6, 3, generator: g)), [4, 6], ps => new Sgd(ps, 0.1));
        Tensor? made = null;
        CapturedGraph graph = CapturedGraph.Capture(() => made = run.Model.Forward(run.X).Relu());
        graph.Replay();
        Assert.Equal(Cuda, made!.Device);
        Assert.Equal(12, made.ToArray<float>().Length);
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(() => made.ToArray<float>()); // its device memory went back with the graph

        // Max's indices come back to the CPU: a replay downloads them again.
        Tensor scores = Tensor.Zeros([5, 4]).To(Cuda);
        Tensor? best = null;
        using (CapturedGraph argmax = CapturedGraph.Capture(() => best = scores.Max(1).Indices))
            foreach (int seed in new[] { 1, 2, 3 })
            {
                Tensor next = Tensor.Randn([5, 4], new Generator((ulong)seed));
                scores.CopyFrom(next);
                argmax.Replay();
                Assert.Equal(next.Argmax(1).ToArray<long>(), best!.ToArray<long>());
            }

        Module bn = Nn.BatchNorm2d(2);
        bn.To(Cuda);
        Tensor x = Tensor.Randn([2, 2, 3, 3], new Generator(1)).To(Cuda);
        var e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => bn.Forward(x)));
        Assert.Contains("batch norm", e.Message);
    }
}
