using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Benchmarks;

/// <summary>
/// One training step of chapter 4's 784-30-1 MLP on a 256 batch (forward, mnist_loss, backward, SGD update, zero_grad),
/// run three ways: eager, eager inside a <see cref="TensorScope"/> per step (as the Learner runs it), and captured once
/// then replayed with <see cref="CapturedGraph"/>; each beside PyTorch's eager step (benchmarks/peers/mlp_step.py).
/// The step is small (6 MFLOP forward), so it measures what each engine pays per op. Rows: µs per step (median of
/// rounds) and, without a peer, the bytes each way allocates per step.
/// </summary>
internal static class MlpStepSuite
{
    private const int Steps = 2000;
    private const int Rounds = 5;

    public static IReadOnlyList<Row> Run()
    {
        double peer = PythonPeer.Run("mlp_step.py", [Steps.ToString(), Rounds.ToString()], "the PyTorch peer") is { } root
            ? root.GetProperty("us_per_step").GetDouble()
            : double.NaN;

        var eager = new Mlp();
        var scoped = new Mlp();
        var captured = new Mlp();
        using CapturedGraph graph = CapturedGraph.Capture(captured.Step);
        void Scoped()
        {
            using var scope = new TensorScope();
            scoped.Step();
        }

        var ways = new (string Name, Action Step)[] { ("eager", eager.Step), ("TensorScope per step", Scoped), ("CapturedGraph replay", graph.Replay) };
        var times = ways.Select(_ => new List<double>()).ToArray();
        var bytes = new long[ways.Length];
        for (int w = 0; w < ways.Length; w++)
            for (int i = 0; i < 200; i++) ways[w].Step();
        for (int round = 0; round < Rounds; round++)
            for (int w = 0; w < ways.Length; w++) // interleaved, so a noisy moment hits every way alike
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < Steps; i++) ways[w].Step();
                times[w].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / Steps);
                bytes[w] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / Steps;
            }

        var rows = new List<Row>();
        for (int w = 0; w < ways.Length; w++)
            rows.Add(new Row($"784-30-1 step, bs 256: {ways[w].Name}", Stats.Median(times[w]), peer, "µs/step", "PyTorch eager"));
        for (int w = 0; w < ways.Length; w++)
            rows.Add(new Row($"784-30-1 step, bs 256: {ways[w].Name}", bytes[w], double.NaN, "bytes/step", "-"));
        return rows;
    }

    /// <summary>The model, its optimizer and one random batch; <see cref="Step"/> is the seed's training step.</summary>
    private sealed class Mlp
    {
        private readonly Tensor _x, _y;
        private readonly Sequential _model;
        private readonly Sgd _opt;

        public Mlp()
        {
            var g = new Generator(0);
            _x = Tensor.Rand([256, 784], g);
            _y = Tensor.Rand([256, 1], g).Gt(0.5f).Float();
            _model = Nn.Sequential(Nn.Linear(784, 30, generator: g), Nn.ReLU(), Nn.Linear(30, 1, generator: g));
            _opt = new Sgd(_model.Parameters(), 0.1);
        }

        public void Step()
        {
            Tensor p = _model.Forward(_x).Sigmoid();
            Tensor.Where(_y.Eq(1f), p.RSub(1f), p).Mean().Backward();
            _opt.Step();
            _opt.ZeroGrad(setToNone: false);
        }
    }
}
