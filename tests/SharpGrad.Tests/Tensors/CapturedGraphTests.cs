using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Tests.Tensors;

/// <summary>A training step captured once and replayed: the same numbers as eager steps, without allocating.</summary>
public class CapturedGraphTests
{
    /// <summary>The 784-30-1 MLP of chapter 4 on a 256 batch with its optimizer; built identically for the same seed.</summary>
    private sealed class Mlp
    {
        public readonly Tensor X, Y;
        public readonly Sequential Model;
        public readonly Optimizer Opt;
        public Tensor? Loss;

        public Mlp(ulong seed, Func<IEnumerable<Tensor>, Optimizer> optimizer)
        {
            var g = new Generator(seed);
            X = Tensor.Rand([256, 784], g);
            Y = Tensor.Rand([256, 1], g).Gt(0.5f).Float();
            Model = Nn.Sequential(Nn.Linear(784, 30, generator: g), Nn.ReLU(), Nn.Linear(30, 1, generator: g));
            Opt = optimizer(Model.Parameters());
        }

        /// <summary>Forward, chapter 4's mnist_loss, backward, update, gradients zeroed in place.</summary>
        public void Step()
        {
            Tensor p = Model.Forward(X).Sigmoid();
            Loss = Tensor.Where(Y.Eq(1f), p.RSub(1f), p).Mean();
            Loss.Backward();
            Opt.Step();
            Opt.ZeroGrad(setToNone: false);
        }

        public float[] Weights() => [.. Model.Parameters().SelectMany(t => t.ToArray<float>())];
    }

    private static Optimizer Sgd(IEnumerable<Tensor> ps) => new Sgd(ps, 0.1);

    [Fact]
    public void Replaying_a_captured_step_gives_bitwise_the_eager_steps()
    {
        var eager = new Mlp(3, Sgd);
        var captured = new Mlp(3, Sgd);
        var eagerLosses = new List<float>();
        for (int i = 0; i < 6; i++)
        {
            eager.Step();
            eagerLosses.Add(eager.Loss!.Item());
        }

        using CapturedGraph graph = CapturedGraph.Capture(captured.Step);
        var replayLosses = new List<float> { captured.Loss!.Item() };
        for (int i = 1; i < 6; i++)
        {
            graph.Replay();
            replayLosses.Add(captured.Loss.Item());
        }

        Assert.Equal(eagerLosses, replayLosses);
        Assert.True(eagerLosses[^1] < eagerLosses[0], $"the loss should fall: {string.Join(", ", eagerLosses)}");
        Assert.Equal(eager.Weights(), captured.Weights());
        Assert.InRange(graph.LaunchCount, 10, 100);
    }

    [Fact]
    public void The_seed_by_hand_loop_replays_too()
    {
        // Chapter 4's loop as written: p -= grad * lr under no_grad, then grad = None.
        static (Tensor[] Ps, Action Step) Build()
        {
            var g = new Generator(11);
            Tensor x = Tensor.Rand([64, 20], g), y = Tensor.Rand([64, 1], g);
            Tensor w = Tensor.Randn([20, 1], g).RequiresGrad(), b = Tensor.Zeros(1).RequiresGrad();
            Tensor[] ps = [w, b];
            return (ps, () =>
            {
                Tensor preds = x.MatMul(w).Add(b).Sigmoid();
                Tensor loss = preds.Sub(y).Square().Mean();
                loss.Backward();
                using (Tensor.NoGrad())
                    foreach (Tensor p in ps)
                    {
                        p.Data -= p.Grad! * 0.5f;
                        p.Grad = null;
                    }
            });
        }

        var (eagerPs, eagerStep) = Build();
        for (int i = 0; i < 4; i++) eagerStep();
        var (ps, step) = Build();
        using CapturedGraph graph = CapturedGraph.Capture(step);
        for (int i = 1; i < 4; i++) graph.Replay();
        for (int i = 0; i < ps.Length; i++) Assert.Equal(eagerPs[i].ToArray<float>(), ps[i].ToArray<float>());
        Assert.Null(ps[0].Grad);
    }

    [Fact]
    public void A_replayed_mlp_step_allocates_under_one_kilobyte()
    {
        // Issue 2's target: a steady-state 784-30-1 training step on a 256 batch allocates under 1 KB.
        var mlp = new Mlp(5, Sgd);
        using CapturedGraph graph = CapturedGraph.Capture(mlp.Step);
        for (int i = 0; i < 10; i++) graph.Replay();
        const int steps = 100;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) graph.Replay();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
        Assert.True(perStep < 1024, $"a replayed MLP step allocated {perStep:N0} bytes");
    }

    [Fact]
    public void A_batch_written_into_the_input_reaches_the_replay()
    {
        var g = new Generator(21);
        Tensor next = Tensor.Rand([256, 784], g);
        var eager = new Mlp(4, Sgd);
        eager.Step();
        eager.X.CopyFrom(next);
        eager.Step();

        var captured = new Mlp(4, Sgd);
        using CapturedGraph graph = CapturedGraph.Capture(captured.Step);
        captured.X.CopyFrom(next);
        graph.Replay();

        Assert.Equal(eager.Loss!.Item(), captured.Loss!.Item());
        Assert.Equal(eager.Weights(), captured.Weights());
    }

    [Fact]
    public void The_replayed_update_reads_the_learning_rate_of_the_moment()
    {
        var mlp = new Mlp(6, Sgd);
        using CapturedGraph graph = CapturedGraph.Capture(mlp.Step);
        float[] before = mlp.Weights();
        mlp.Opt.Lr = 0;
        graph.Replay();
        Assert.Equal(before, mlp.Weights());
        mlp.Opt.Lr = 0.1;
        graph.Replay();
        Assert.NotEqual(before, mlp.Weights());
    }

    [Fact]
    public void Adam_replays_advance_its_step_count_like_eager_steps()
    {
        static Optimizer Adam(IEnumerable<Tensor> ps) => new Adam(ps, 1e-3);
        var eager = new Mlp(8, Adam);
        for (int i = 0; i < 4; i++) eager.Step();
        var captured = new Mlp(8, Adam);
        using CapturedGraph graph = CapturedGraph.Capture(captured.Step);
        for (int i = 1; i < 4; i++) graph.Replay();
        Assert.Equal(eager.Weights(), captured.Weights());
    }

    [Fact]
    public void Capture_names_an_op_it_cannot_replay()
    {
        Tensor x = Tensor.Randn([4, 5], new Generator(1)).RequiresGrad();
        var e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => x.Max(1).Values.Sum().Backward()));
        Assert.Contains("Tensor.Max", e.Message);

        e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => Tensor.Rand([3]).Add(x.Sum())));
        Assert.Contains("Tensor.Rand", e.Message);
        Assert.Contains("same random numbers", e.Message);

        var bn = Nn.BatchNorm1d(5);
        e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => bn.Forward(x)));
        Assert.Contains("BatchNorm", e.Message);
        Assert.Equal(0f, bn.RunningMean!.Sum().Item()); // a failed capture changed nothing it could not undo
    }

    [Fact]
    public void An_op_writing_unrecorded_into_zeros_fails_the_capture()
    {
        // IndexSelect's backward adds into a tensor of zeros with a kernel a replay would not rerun: the capture notices
        // that the zeros changed, rather than replaying zeros as its gradient.
        Tensor x = Tensor.Randn([5, 3], new Generator(2)).RequiresGrad();
        Tensor idx = Tensor.From(4L, 0L, 4L);
        var e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => x.IndexSelect(0, idx).Sum().Backward()));
        Assert.Contains("IndexSelect (its backward)", e.Message);

        e = Assert.Throws<NotSupportedException>(() => CapturedGraph.Capture(() => Tensor.Eye(3).Add(x[..3, ..3])));
        Assert.Contains("Tensor.Eye", e.Message);

        using CapturedGraph zeros = CapturedGraph.Capture(() => Tensor.Zeros(3).Add(x[0])); // zeros left alone are fine
        Assert.Equal(2, zeros.LaunchCount); // the zeroing and the add
    }

    [Fact]
    public void A_ten_class_classifier_step_with_cross_entropy_replays_bitwise()
    {
        static (Tensor X, Tensor Y, Sequential Model, Optimizer Opt) Build()
        {
            var g = new Generator(31);
            Tensor x = Tensor.Rand([64, 784], g), y = Tensor.Randint(0, 10, [64], g);
            var model = Nn.Sequential(Nn.Linear(784, 50, generator: g), Nn.ReLU(), Nn.Linear(50, 10, generator: g));
            return (x, y, model, new Adam(model.Parameters(), 1e-3));
        }

        var (x, y, model, opt) = Build();
        var (cx, cy, cmodel, copt) = Build();
        Tensor? loss = null;
        void Step(Tensor xb, Tensor yb, Sequential m, Optimizer o)
        {
            loss = F.CrossEntropy(m.Forward(xb), yb);
            loss.Backward();
            o.Step();
            o.ZeroGrad(setToNone: false);
        }

        var eager = new List<float>();
        for (int i = 0; i < 5; i++)
        {
            Step(x, y, model, opt);
            eager.Add(loss!.Item());
        }
        using CapturedGraph graph = CapturedGraph.Capture(() => Step(cx, cy, cmodel, copt));
        Tensor captured = loss!;
        var replayed = new List<float> { captured.Item() };
        for (int i = 1; i < 5; i++)
        {
            graph.Replay();
            replayed.Add(captured.Item());
        }
        Assert.Equal(eager, replayed);
        Assert.True(eager[^1] < eager[0]);
        Assert.Equal(model.Parameters().SelectMany(p => p.ToArray<float>()), cmodel.Parameters().SelectMany(p => p.ToArray<float>()));
    }

    [Fact]
    public void Disposing_the_graph_releases_its_tensors_but_not_the_gradients()
    {
        var mlp = new Mlp(9, Sgd);
        CapturedGraph graph = CapturedGraph.Capture(mlp.Step);
        graph.Replay();
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mlp.Loss!.Item());
        Assert.Throws<ObjectDisposedException>(graph.Replay);
        foreach (Tensor p in mlp.Model.Parameters()) Assert.Equal(0f, p.Grad!.Abs().Sum().Item());
        mlp.Step(); // eager steps go on as before
        Assert.True(float.IsFinite(mlp.Loss!.Item()));
    }

    [Fact]
    public void Captures_do_not_nest()
    {
        Tensor x = Tensor.Ones(3);
        var e = Assert.Throws<InvalidOperationException>(() => CapturedGraph.Capture(() => CapturedGraph.Capture(() => x.Add(x))));
        Assert.Contains("already in progress", e.Message);
        using CapturedGraph ok = CapturedGraph.Capture(() => x.Add(x)); // the failed capture left nothing behind
        Assert.Equal(1, ok.LaunchCount);
    }
}
