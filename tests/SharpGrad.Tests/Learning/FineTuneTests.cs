using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Learning;

/// <summary>fastai's freezing, discriminative learning rates and fine_tune schedule on a resnet18 learner (three parameter groups).</summary>
public class FineTuneTests
{
    private static Learner Make(bool trainBn = true)
    {
        var g = new Generator(1);
        Tensor x = Tensor.Rand([16, 1, 16, 16], g);
        Tensor y = Tensor.Randint(0, 2, [16], g);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 8, shuffle: true, generator: new Generator(2)),
                                  new DataLoader(new TensorDataset(x, y), 8), ["a", "b"]);
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 2, inChannels: 1, generator: new Generator(3));
        return new Learner(dls, model, F.CrossEntropy, Optimizers.Adam, [Metrics.Accuracy], splitter: CnnLearner.Split)
            { Output = null, Progress = SharpGrad.Reporting.Reporters.Silent, TrainBn = trainBn };
    }

    /// <summary>Records every group's learning rate at every training batch.</summary>
    private sealed class GroupLrs : Callback
    {
        public List<double[]> Rates { get; } = [];
        public override int Order => 65; // after the scheduler
        public override void BeforeBatch()
        {
            if (Learn.Training) Rates.Add(Learn.Opt!.ParamGroups.Select(g => g["lr"]).ToArray());
        }
    }

    [Fact]
    public void Slices_spread_rates_as_fastais_even_mults()
    {
        Assert.Equal([1e-5, 1e-4, 1e-3], new Slice(1e-5, 1e-3).ForGroups(3).Select(v => Math.Round(v, 12)));
        Assert.Equal([1e-4, 1e-4, 1e-3], new Slice(1e-3).ForGroups(3));
        Assert.Equal([2e-3], new Slice(1e-5, 2e-3).ForGroups(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Slice(1e-2, 1e-3).ForGroups(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Slice(-1).ForGroups(3));
    }

    [Fact]
    public void One_cycle_with_a_slice_keeps_the_ratio_between_groups_at_every_batch()
    {
        Learner learn = Make();
        var rec = new GroupLrs();
        learn.FitOneCycle(2, new Slice(1e-5, 1e-3), cbs: [rec]);
        Assert.Equal(4, rec.Rates.Count);
        foreach (double[] r in rec.Rates)
        {
            Assert.Equal(0.01, r[0] / r[2], 9);
            Assert.Equal(0.1, r[1] / r[2], 9);
        }
        Assert.Equal(1e-3 / 25, rec.Rates[0][2], 12); // the cycle starts at lrMax / div
    }

    private static Dictionary<string, float[]> Snapshot(Module m) => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Float().ToArray<float>());

    [Fact]
    public void A_frozen_body_does_not_change_but_its_batch_norms_and_the_head_train()
    {
        Learner learn = Make();
        learn.Freeze();
        Assert.Equal(2, learn.FrozenGroups);
        var before = Snapshot(learn.Model);
        learn.Fit(1, 1e-2);
        var after = Snapshot(learn.Model);
        foreach ((string name, float[] v) in before)
        {
            bool changed = !v.SequenceEqual(after[name]);
            bool head = name.StartsWith("1.", StringComparison.Ordinal), bn = name.Contains("bn") || name.Contains("downsample.1") || name.StartsWith("0.1.", StringComparison.Ordinal);
            if (head || bn) Assert.True(changed || name.EndsWith("num_batches_tracked", StringComparison.Ordinal), $"{name} should train");
            else Assert.False(changed, $"{name} is frozen but changed");
        }
        learn.Unfreeze();
        Assert.All(learn.Model.Parameters(), p => Assert.True(p.RequiresGradient));
    }

    [Fact]
    public void Without_train_bn_a_frozen_body_builds_no_backward_graph()
    {
        Learner learn = Make(trainBn: false);
        learn.Freeze();
        var body = (Sequential)((Sequential)learn.Model)[0];
        Tensor features = body.Forward(Tensor.Rand([2, 1, 16, 16], new Generator(4)));
        Assert.False(features.RequiresGradient); // nothing in the body requires grad: no graph, one forward's cost
        var before = Snapshot(body);
        learn.Fit(1, 1e-2);
        Assert.All(Snapshot(body), kv => Assert.True(kv.Key.Contains("running") || kv.Key.Contains("num_batches") || kv.Value.SequenceEqual(before[kv.Key]), kv.Key));
    }

    [Fact]
    public void FineTune_runs_fastais_two_phases()
    {
        Learner learn = Make();
        var rec = new GroupLrs();
        learn.FineTune(1, baseLr: 2e-3, cbs: [rec]);
        Assert.Equal(4, rec.Rates.Count);
        // Phase 1, frozen: slice(2e-3) -> [2e-4, 2e-4, 2e-3], pctStart 0.99, div 25: the first batch runs at max / 25.
        Assert.Equal([2e-4 / 25, 2e-4 / 25, 2e-3 / 25], rec.Rates[0].Select(v => Math.Round(v, 15)));
        // Phase 2, unfrozen: slice(1e-3 / 100, 1e-3), div 5.
        Assert.Equal(1e-5 / 5, rec.Rates[2][0], 15);
        Assert.Equal(1e-3 / 5, rec.Rates[2][2], 15);
        Assert.Equal(0, learn.FrozenGroups);
    }
}
