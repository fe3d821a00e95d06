using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Learning;

/// <summary>fastai's schedules, 1cycle, the LR finder and its valley, and saving/exporting learners.</summary>
public class ScheduleTests
{
    private static DataLoaders Blobs()
    {
        var g = new Generator(11);
        Tensor y = Tensor.Randint(0, 2, [64], g);
        Tensor x = Tensor.Randn([64, 2], g) * 0.3f + y.Float().Unsqueeze(1) * 2f - 1f;
        return new DataLoaders(new DataLoader(new TensorDataset(x, y), 16, shuffle: true, generator: new Generator(1)),
                               new DataLoader(new TensorDataset(x[..16], y[..16]), 8), ["neg", "pos"]);
    }

    private static Learner Make(OptimizerFactory? opt = null) =>
        new(Blobs(), Nn.Sequential(Nn.Linear(2, 8, generator: new Generator(5)), Nn.ReLU(), Nn.Linear(8, 2, generator: new Generator(6))),
            F.CrossEntropy, opt ?? Optimizers.Sgd, [Metrics.Accuracy]) { Output = null, Progress = SharpGrad.Reporting.Reporters.Silent };

    [Fact]
    public void Cosine_schedules_are_fastais()
    {
        Func<double, double> cos = Schedules.Cos(1, 3);
        Assert.Equal(1, cos(0), 12);
        Assert.Equal(2, cos(0.5), 12);
        Assert.Equal(3, cos(1), 12);
        Func<double, double> one = Schedules.CombinedCos(0.25, 0.004, 0.1, 1e-6);
        Assert.Equal(0.004, one(0), 12);
        Assert.Equal(0.1, one(0.25), 12);
        Assert.Equal(1e-6, one(1), 12);
        Assert.Equal(0.004 + (1 + Math.Cos(Math.PI * (1 - 0.4))) * (0.1 - 0.004) / 2, one(0.1), 12);
        Assert.Equal(10, Schedules.Exp(1e-7, 10)(1), 9);
    }

    [Fact]
    public void FitOneCycle_sets_lr_and_mom_every_batch()
    {
        Learner learn = Make(Optimizers.Adam);
        learn.FitOneCycle(4, lrMax: 0.1);
        List<double> lrs = learn.Recorder.Lrs;
        Assert.Equal(16, lrs.Count);
        Assert.Equal(0.1 / 25, lrs[0], 9);
        int peak = lrs.IndexOf(lrs.Max());
        Assert.Equal(4, peak); // 25% of 16 batches
        Assert.Equal(0.1, lrs[peak], 9);
        Assert.True(lrs[^1] < 0.01);
        Assert.InRange(learn.Opt!.ParamGroups[0]["mom"], 0.94, 0.95); // momentum ends back near 0.95
    }

    [Fact]
    public void LrFind_suggests_a_rate_and_restores_weights_and_optimizer()
    {
        Learner learn = Make();
        float[] before = learn.Model.Parameters().First().ToArray<float>();
        LrFindResult r = learn.LrFind(numIt: 40);
        Assert.True(r.Lrs.Count >= 2);
        Assert.InRange(r.Valley, 1e-7, 10);
        Assert.Equal(r.Lrs[r.ValleyIndex], r.Valley);
        Assert.Equal(before, learn.Model.Parameters().First().ToArray<float>());
        Assert.Equal(1e-3, learn.Opt!.Lr);
        learn.Fit(1, 0.1); // still trains normally afterwards
        Assert.Single(learn.Recorder.Values);
    }

    [Fact]
    public void Valley_is_two_thirds_down_the_longest_decline()
    {
        double[] losses = [5, 5, 4, 3, 2, 1, 0.5, 3, 9];
        // longest decreasing run 5,4,3,2,1,0.5 ends at index 6 with length 6: start 0, sections 2, idx 0 + 2 + 1
        Assert.Equal(3, LrFindExtensions.Valley(losses));
    }

    [Fact]
    public void Save_load_and_export_round_trip_and_reject_wrong_files()
    {
        using var dir = new Data.TempDir();
        Learner learn = Make();
        learn.Fit(3, 0.5);
        string weights = Path.Combine(dir, "w.safetensors"), exported = Path.Combine(dir, "m.sgl");
        learn.Save(weights);
        Learner other = Make();
        other.Load(weights);
        Assert.Equal(learn.Model.StateDict()["2.weight"].ToArray<float>(), other.Model.StateDict()["2.weight"].ToArray<float>());

        learn.Export(exported);
        ExportedModel m = LearnerFiles.LoadLearner(exported);
        Tensor x = Tensor.From(1.1f, 1.0f);
        Assert.Equal(learn.Predict(x).Probabilities.ToArray<float>(), m.Predict(x).Probabilities.ToArray<float>());
        Assert.Equal(["neg", "pos"], m.Vocab);

        var wrongArch = new Learner(Blobs(), Nn.Sequential(Nn.Linear(2, 4), Nn.ReLU(), Nn.Linear(4, 2)), F.CrossEntropy) { Output = null };
        var e = Assert.Throws<ArgumentException>(() => wrongArch.Load(weights));
        Assert.Contains(weights, e.Message);
        Assert.Contains("0.weight", e.Message);

        byte[] bytes = File.ReadAllBytes(exported);
        string truncated = Path.Combine(dir, "cut.sgl");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => LearnerFiles.LoadLearner(truncated)).Message);
        Assert.Contains("not an exported SharpGrad learner", Assert.Throws<InvalidDataException>(() => LearnerFiles.LoadLearner(weights)).Message);
    }

    [Fact]
    public void Exporting_a_custom_module_names_it()
    {
        var learn = new Learner(Blobs(), new Lambda(t => t), F.CrossEntropy) { Output = null };
        using var dir = new Data.TempDir();
        Assert.Contains("Lambda", Assert.Throws<NotSupportedException>(() => learn.Export(Path.Combine(dir, "x.sgl"))).Message);
        Assert.False(File.Exists(Path.Combine(dir, "x.sgl")));
    }
}
