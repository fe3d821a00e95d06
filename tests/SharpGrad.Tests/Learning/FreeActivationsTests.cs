using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Learning;

/// <summary>A training step gives the forward pass's memory back as backward passes it, without changing any result.</summary>
public class FreeActivationsTests
{
    /// <summary>An MLP that keeps its hidden activation in a field (as a visualisation hook might).</summary>
    private sealed class Stashing : Module
    {
        private readonly Linear _a = new(4, 16, generator: new Generator(2)), _b = new(16, 3, generator: new Generator(3));

        public Stashing()
        {
            RegisterModule("a", _a);
            RegisterModule("b", _b);
        }

        public Tensor? Hidden { get; private set; }

        public override Tensor Forward(Tensor input) => _b.Forward(Hidden = _a.Forward(input).Relu());
    }

    /// <summary>At BeforeStep (after backward): whether the stashed activation, the prediction, loss and batch still read.</summary>
    private sealed class Probe(Stashing model) : Callback
    {
        public List<bool> HiddenReadable { get; } = [];
        public bool LoopTensorsReadable { get; private set; } = true;

        public override void BeforeStep()
        {
            HiddenReadable.Add(Readable(model.Hidden!));
            LoopTensorsReadable &= Readable(Learn.Pred) && Readable(Learn.Loss) && Readable(Learn.Xb) && Readable(Learn.Yb!);
        }

        private static bool Readable(Tensor t)
        {
            try
            {
                _ = t.Contiguous().ToString();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    private static (float[] Weights, List<double> Losses, Probe Probe) Train(bool free)
    {
        var g = new Generator(7);
        Tensor x = Tensor.Randn([48, 4], g), y = Tensor.Randint(0, 3, [48], g);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 16, shuffle: true, generator: new Generator(1)),
                                  new DataLoader(new TensorDataset(x, y), 16), ["a", "b", "c"]);
        var model = new Stashing();
        var probe = new Probe(model);
        var learn = new Learner(dls, model, F.CrossEntropy, Optimizers.Adam, callbacks: [probe]) { Output = null, FreeActivationsInBackward = free };
        learn.Fit(2, lr: 1e-2);
        float[] weights = [.. model.Parameters().SelectMany(p => p.ToArray<float>())];
        return (weights, learn.Recorder.Losses, probe);
    }

    [Fact]
    public void ResultsAreBitwiseTheSameAndOnlyTheLoopsTensorsStayReadable()
    {
        var (freedWeights, freedLosses, freed) = Train(free: true);
        var (keptWeights, keptLosses, kept) = Train(free: false);
        Assert.Equal(keptWeights, freedWeights);
        Assert.Equal(keptLosses, freedLosses);
        // After backward, the model's own stashed activation is released (a stale read throws, never sees reused memory)...
        Assert.All(freed.HiddenReadable, r => Assert.False(r));
        Assert.All(kept.HiddenReadable, r => Assert.True(r));
        // ...while the loop's prediction, loss, inputs and targets stay readable for callbacks.
        Assert.True(freed.LoopTensorsReadable);
        Assert.Equal(6, freed.HiddenReadable.Count);
    }

    [Fact]
    public void BackwardFreeingSavedMemoryGivesTheSameGradients()
    {
        var g = new Generator(9);
        Tensor w1 = Tensor.Randn([5, 6], g).RequiresGrad(), w2 = Tensor.Randn([6, 2], g).RequiresGrad(), x = Tensor.Randn([4, 5], g);
        Tensor[] Grads(bool free)
        {
            w1.Grad = null;
            w2.Grad = null;
            using var scope = new TensorScope();
            Tensor h = x.MatMul(w1).Relu(), h2 = h * h;
            Tensor loss = h2.MatMul(w2).Sigmoid().Mean();
            loss.Backward(null, retainGraph: false, freeSavedExcept: free ? [] : null);
            if (free) Assert.Throws<ObjectDisposedException>(() => h.Sum());
            return [w1.Grad!.Clone().Keep(), w2.Grad!.Clone().Keep()];
        }
        Tensor[] freed = Grads(true), kept = Grads(false);
        Assert.Equal(kept[0].ToArray<float>(), freed[0].ToArray<float>());
        Assert.Equal(kept[1].ToArray<float>(), freed[1].ToArray<float>());
    }
}
